import { X509Certificate } from 'node:crypto';
import { type JwtAlgorithm, type SigningKey, importSigningKey } from '@easgate/auth';
import type { Tx } from '@easgate/persistence';
import type { TenantConnection } from '../domain/certificate';
import type { EnvelopeCipher } from '../domain/envelope-encryption';
import type { StoredCertificate } from '../infra/certificate.repository';

/** What signing a client assertion needs: the imported key and the (public) certificate. */
export interface ConnectionSigner {
  readonly certificateId: string;
  readonly signingKey: SigningKey;
  readonly certificate: X509Certificate;
}

/** What a signature reads from the database: the connection and its ACTIVE certificate (if any). */
export interface SigningLookup {
  readonly connection: TenantConnection;
  readonly active: StoredCertificate | undefined;
}

export interface SigningKeyCacheOptions {
  /**
   * How long a connection and its active certificate, once read, serve signatures without another
   * read (VAULT_SIGNING_LOOKUP_CACHE_MS; 0 = read on every signature). Changes made by THIS process
   * evict at once; the TTL bounds how long another replica's change goes unseen.
   */
  readonly lookupTtlMs?: number;
  /**
   * Runs `callback` once the transaction of `tx` has ended (committed or rolled back): an eviction
   * made inside a transaction is repeated then, so that a read which saw the state before the commit
   * (PostgreSQL reads run beside transactions) is not kept.
   */
  readonly afterTransaction?: (tx: Tx, callback: () => void) => void;
}

interface LookupEntry {
  readonly lookup: SigningLookup;
  readonly expiresAt: number;
}

interface Entry {
  readonly certificateId: string;
  readonly algorithm: JwtAlgorithm;
  readonly masterKeyId: string;
  readonly expiresAt: number;
  readonly signer: Promise<ConnectionSigner>;
  readonly timer: NodeJS.Timeout;
}

/**
 * Keeps each tenant connection's ACTIVE signing key imported for a short time (VAULT_SIGNING_KEY_CACHE_MS)
 * instead of unwrapping the envelope (two AES-GCM openings and a PKCS#8 parse, which costs more than
 * the RSA signature itself) on every client assertion; and, for a shorter time
 * (VAULT_SIGNING_LOOKUP_CACHE_MS), the connection and its active certificate as read from the database,
 * so that a burst of signatures does not read them once each.
 *
 * Keys are WebCrypto `CryptoKey`s imported non-extractable for `sign` only (see `importSigningKey`);
 * the decrypted PKCS#8 buffer is zeroed as soon as the import resolves. An entry lives at most the TTL
 * after its unwrap (not refreshed by use) and is dropped at once when its connection's certificates
 * change (activation, retirement, master-key re-wrap, connection update or delete): inside the
 * changing transaction and again once it has ended. TTL 0 disables the cache: every signature unwraps,
 * as before. A lookup is kept only if no eviction happened while it was read (the epoch), and never
 * for a connection without an active certificate.
 */
export class SigningKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly lookups = new Map<string, LookupEntry>();
  private readonly lookupTtlMs: number;
  private readonly afterTransaction: ((tx: Tx, callback: () => void) => void) | undefined;
  /** Bumped by every eviction: a key unwrapped from a read older than an eviction is used once, not kept. */
  private generation = 0;

  constructor(
    private readonly cipher: EnvelopeCipher,
    readonly ttlMs: number,
    /** Told where each signing key came from (the vault's metrics). */
    private readonly observe?: (source: 'cache' | 'unwrap') => void,
    options: SigningKeyCacheOptions = {},
  ) {
    this.lookupTtlMs = options.lookupTtlMs ?? 0;
    this.afterTransaction = options.afterTransaction;
  }

  /** Taken before reading the active certificate, passed to {@link signerFor}. */
  get epoch(): number {
    return this.generation;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Connections whose lookup is kept. */
  get lookupSize(): number {
    return this.lookups.size;
  }

  /**
   * The connection and its active certificate: kept from an earlier read (younger than the lookup
   * TTL, no eviction since), or `read` now, and kept if nothing was evicted since `epoch`.
   */
  async lookup(
    connectionId: string,
    epoch: number,
    read: () => Promise<SigningLookup>,
  ): Promise<SigningLookup> {
    const hit = this.lookups.get(connectionId);
    if (hit) {
      if (hit.expiresAt > Date.now()) return hit.lookup;
      this.lookups.delete(connectionId);
    }
    const fresh = await read();
    if (this.lookupTtlMs > 0 && fresh.active && epoch === this.generation) {
      this.lookups.set(connectionId, { lookup: fresh, expiresAt: Date.now() + this.lookupTtlMs });
    }
    return fresh;
  }

  /** The signer of `stored` (the connection's active certificate as read at `epoch`). */
  signerFor(stored: StoredCertificate, algorithm: JwtAlgorithm, epoch: number): Promise<ConnectionSigner> {
    const hit = this.entries.get(stored.connectionId);
    if (
      hit &&
      hit.certificateId === stored.id &&
      hit.algorithm === algorithm &&
      hit.masterKeyId === stored.sealed.masterKeyId &&
      hit.expiresAt > Date.now()
    ) {
      this.observe?.('cache');
      return hit.signer;
    }
    this.observe?.('unwrap');
    if (hit) this.drop(stored.connectionId, hit);
    const signer = this.unwrap(stored, algorithm);
    if (this.ttlMs > 0 && epoch === this.generation) {
      const entry: Entry = {
        certificateId: stored.id,
        algorithm,
        masterKeyId: stored.sealed.masterKeyId,
        expiresAt: Date.now() + this.ttlMs,
        signer,
        timer: setTimeout(() => this.drop(stored.connectionId, entry), this.ttlMs).unref(),
      };
      this.entries.set(stored.connectionId, entry);
      // A failed unwrap is not remembered: the next signature tries again (and fails with its code).
      signer.catch(() => this.drop(stored.connectionId, entry));
    }
    return signer;
  }

  /**
   * Drops the connection's key and lookup now (the connection, its active certificate or the master
   * key wrapping it changed in `tx`), and again once `tx` has ended.
   */
  evict(connectionId: string, tx?: Tx): void {
    this.forget(connectionId);
    if (tx && this.afterTransaction) this.afterTransaction(tx, () => this.forget(connectionId));
  }

  /** Drops every key and lookup (shutdown). */
  clear(): void {
    this.generation += 1;
    this.lookups.clear();
    for (const [connectionId, entry] of this.entries) this.drop(connectionId, entry);
  }

  private forget(connectionId: string): void {
    this.generation += 1;
    this.lookups.delete(connectionId);
    const entry = this.entries.get(connectionId);
    if (entry) this.drop(connectionId, entry);
  }

  private drop(connectionId: string, entry: Entry): void {
    clearTimeout(entry.timer);
    if (this.entries.get(connectionId) === entry) this.entries.delete(connectionId);
  }

  private async unwrap(stored: StoredCertificate, algorithm: JwtAlgorithm): Promise<ConnectionSigner> {
    const pkcs8 = this.cipher.openPrivateKey(stored.id, stored.sealed);
    try {
      return {
        certificateId: stored.id,
        signingKey: await importSigningKey(pkcs8, algorithm),
        certificate: new X509Certificate(stored.chainDer[0]),
      };
    } finally {
      pkcs8.fill(0);
    }
  }
}

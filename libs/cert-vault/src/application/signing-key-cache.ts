import { X509Certificate } from 'node:crypto';
import { type JwtAlgorithm, type SigningKey, importSigningKey } from '@easgate/auth';
import type { EnvelopeCipher } from '../domain/envelope-encryption';
import type { StoredCertificate } from '../infra/certificate.repository';

/** What signing a client assertion needs: the imported key and the (public) certificate. */
export interface ConnectionSigner {
  readonly certificateId: string;
  readonly signingKey: SigningKey;
  readonly certificate: X509Certificate;
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
 * the RSA signature itself) on every client assertion.
 *
 * Keys are WebCrypto `CryptoKey`s imported non-extractable for `sign` only (see `importSigningKey`);
 * the decrypted PKCS#8 buffer is zeroed as soon as the import resolves. An entry lives at most the TTL
 * after its unwrap (not refreshed by use) and is dropped at once when its connection's certificates
 * change (activation, retirement, master-key re-wrap, connection delete). TTL 0 disables the cache:
 * every signature unwraps, as before.
 */
export class SigningKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every eviction: a key unwrapped from a read older than an eviction is used once, not kept. */
  private generation = 0;

  constructor(
    private readonly cipher: EnvelopeCipher,
    readonly ttlMs: number,
    /** Told where each signing key came from (the vault's metrics). */
    private readonly observe?: (source: 'cache' | 'unwrap') => void,
  ) {}

  /** Taken before reading the active certificate, passed to {@link signerFor}. */
  get epoch(): number {
    return this.generation;
  }

  get size(): number {
    return this.entries.size;
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

  /** Drops the connection's key now (its active certificate, or the master key wrapping it, changed). */
  evict(connectionId: string): void {
    this.generation += 1;
    const entry = this.entries.get(connectionId);
    if (entry) this.drop(connectionId, entry);
  }

  /** Drops every key (shutdown). */
  clear(): void {
    this.generation += 1;
    for (const [connectionId, entry] of this.entries) this.drop(connectionId, entry);
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

import { createHash, randomBytes } from 'node:crypto';
import { openBytes as openWithKey, SEALING_KEY_BYTES, sealBytes, SealingError } from '@easgate/auth';
import { VaultError, VaultErrorCode } from './vault-error';

/** A 256-bit master key and its id (derived from the key, so configuration needs no separate id). */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export function masterKeyFrom(key: Buffer): MasterKey {
  if (key.length !== SEALING_KEY_BYTES) {
    throw new RangeError(
      `a master key must be ${SEALING_KEY_BYTES} bytes (base64 of 32 random bytes), not ${key.length}`,
    );
  }
  // A hash of a 256-bit random key reveals nothing usable about it; 16 hex chars identify it.
  const id = `mk-${createHash('sha256').update('easgate-cert-vault-master-key-id\n').update(key).digest('hex').slice(0, 16)}`;
  return { id, key: Buffer.from(key) };
}

/**
 * The master keys the vault knows: the current one wraps new data keys; previous ones still unwrap
 * during a master-key rotation, until every data key has been re-wrapped.
 */
export class MasterKeyRing {
  private readonly byId = new Map<string, MasterKey>();

  constructor(
    readonly current: MasterKey,
    previous: readonly MasterKey[] = [],
  ) {
    for (const key of [current, ...previous]) this.byId.set(key.id, key);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  get(id: string): MasterKey {
    const key = this.byId.get(id);
    if (!key) {
      throw new VaultError(
        VaultErrorCode.MasterKeyUnknown,
        `data key is wrapped by master key ${id}, which is not configured (VAULT_MASTER_KEY / VAULT_PREVIOUS_MASTER_KEYS)`,
      );
    }
    return key;
  }
}

/** The shared AES-256-GCM opening, a failure reported as the vault's typed error. */
function openBytes(key: Buffer, sealed: Buffer, associatedData: string): Buffer {
  try {
    return openWithKey(key, sealed, associatedData);
  } catch (err) {
    if (err instanceof SealingError) throw new VaultError(VaultErrorCode.DecryptionFailed, err.message);
    throw err;
  }
}

/** The secrets of one certificate, as stored: every field is ciphertext except the key id. */
export interface SealedSecrets {
  readonly masterKeyId: string;
  /** The certificate's data key, sealed by the master key. */
  readonly wrappedDataKey: Buffer;
  /** PKCS#8 DER private key, sealed by the data key. */
  readonly privateKey: Buffer;
  /** The PFX password (UTF-8), sealed by the data key; absent when the certificate came without one. */
  readonly password?: Buffer;
}

export interface PlainSecrets {
  readonly privateKeyPkcs8: Buffer;
  readonly password?: string;
}

const dekAad = (ownerId: string, masterKeyId: string) => `easgate/cert-vault/dek/${ownerId}/${masterKeyId}`;
const fieldAad = (ownerId: string, field: string) => `easgate/cert-vault/${field}/${ownerId}`;

/**
 * Envelope encryption: one fresh AES-256-GCM data key per certificate encrypts its private key and
 * password; the master key only ever encrypts data keys, so rotating it re-wraps 32-byte blobs.
 */
export class EnvelopeCipher {
  constructor(private readonly ring: MasterKeyRing) {}

  seal(ownerId: string, secrets: PlainSecrets): SealedSecrets {
    const dataKey = randomBytes(SEALING_KEY_BYTES);
    try {
      const master = this.ring.current;
      return {
        masterKeyId: master.id,
        wrappedDataKey: sealBytes(master.key, dataKey, dekAad(ownerId, master.id)),
        privateKey: sealBytes(dataKey, secrets.privateKeyPkcs8, fieldAad(ownerId, 'private-key')),
        ...(secrets.password !== undefined && {
          password: sealBytes(dataKey, Buffer.from(secrets.password, 'utf8'), fieldAad(ownerId, 'password')),
        }),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  open(ownerId: string, sealed: SealedSecrets): PlainSecrets {
    const dataKey = this.unwrap(ownerId, sealed);
    try {
      return {
        privateKeyPkcs8: openBytes(dataKey, sealed.privateKey, fieldAad(ownerId, 'private-key')),
        ...(sealed.password !== undefined && {
          password: openBytes(dataKey, sealed.password, fieldAad(ownerId, 'password')).toString('utf8'),
        }),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  /** Only the PKCS#8 private key (what signing needs): the password stays sealed. Zero it after use. */
  openPrivateKey(ownerId: string, sealed: SealedSecrets): Buffer {
    const dataKey = this.unwrap(ownerId, sealed);
    try {
      return openBytes(dataKey, sealed.privateKey, fieldAad(ownerId, 'private-key'));
    } finally {
      dataKey.fill(0);
    }
  }

  /** True when the data key is wrapped by a master key other than the current one. */
  needsRewrap(sealed: Pick<SealedSecrets, 'masterKeyId'>): boolean {
    return sealed.masterKeyId !== this.ring.current.id;
  }

  /** Re-wraps the data key under the current master key; the data ciphertexts stay as they are. */
  rewrap(ownerId: string, sealed: SealedSecrets): SealedSecrets {
    const dataKey = this.unwrap(ownerId, sealed);
    try {
      const master = this.ring.current;
      return {
        ...sealed,
        masterKeyId: master.id,
        wrappedDataKey: sealBytes(master.key, dataKey, dekAad(ownerId, master.id)),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  private unwrap(ownerId: string, sealed: SealedSecrets): Buffer {
    const master = this.ring.get(sealed.masterKeyId);
    return openBytes(master.key, sealed.wrappedDataKey, dekAad(ownerId, master.id));
  }
}

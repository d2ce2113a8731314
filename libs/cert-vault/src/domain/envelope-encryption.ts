import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { VaultError, VaultErrorCode } from './vault-error';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A 256-bit master key and its id (derived from the key, so configuration needs no separate id). */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export function masterKeyFrom(key: Buffer): MasterKey {
  if (key.length !== KEY_BYTES) {
    throw new RangeError(
      `a master key must be ${KEY_BYTES} bytes (base64 of 32 random bytes), not ${key.length}`,
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

/** AES-256-GCM: iv (12) ‖ tag (16) ‖ ciphertext. The associated data binds a blob to its owner. */
export function sealBytes(key: Buffer, plaintext: Buffer, associatedData: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function openBytes(key: Buffer, sealed: Buffer, associatedData: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) {
    throw new VaultError(VaultErrorCode.DecryptionFailed, 'sealed value is truncated');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new VaultError(
      VaultErrorCode.DecryptionFailed,
      'sealed value failed authentication (wrong key, or the stored bytes were changed)',
    );
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
    const dataKey = randomBytes(KEY_BYTES);
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

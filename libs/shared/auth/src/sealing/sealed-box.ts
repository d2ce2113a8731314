import { chmodSync, statSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CodedAuthError } from '../coded-error';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** AES-256: every sealing key is 32 bytes. */
export const SEALING_KEY_BYTES = 32;

/** Why a sealed value could not be opened (stable codes, the same the vault reports). */
export enum SealingErrorCode {
  DecryptionFailed = 'DECRYPTION_FAILED',
  InvalidKey = 'INVALID_SEALING_KEY',
  /** A generated key file that group or others may read or write: refused rather than used. */
  KeyFileTooOpen = 'KEY_FILE_TOO_OPEN',
}

export class SealingError extends CodedAuthError<SealingErrorCode> {}

/**
 * AES-256-GCM: iv (12) ‖ tag (16) ‖ ciphertext. The associated data binds a blob to its owner, so a
 * ciphertext copied into another row does not open there.
 */
export function sealBytes(key: Buffer, plaintext: Buffer, associatedData: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function openBytes(key: Buffer, sealed: Buffer, associatedData: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) {
    throw new SealingError(SealingErrorCode.DecryptionFailed, 'sealed value is truncated');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealingError(
      SealingErrorCode.DecryptionFailed,
      'sealed value failed authentication (wrong key, or the stored bytes were changed)',
    );
  }
}

export interface SealingKeySource {
  /** Base64 of 32 bytes, from an environment variable. */
  readonly value?: string;
  /** A file holding base64 of 32 bytes (a mounted Kubernetes Secret). */
  readonly file?: string;
  /** With neither: the key is generated once into this file (0600) — the embedded single-machine mode. */
  readonly generateAt?: string;
  /** The setting's name, for messages (never the value). */
  readonly name: string;
}

/**
 * Reads a 256-bit sealing key from the environment, a file, or (embedded mode) a file generated on
 * first use. `generated` tells the caller to warn that the file must be kept and backed up.
 */
export function loadSealingKey(source: SealingKeySource): { key: Buffer; generated: boolean } {
  if (source.value !== undefined) return { key: decodeKey(source.value, source.name), generated: false };
  if (source.file !== undefined) {
    return { key: decodeKey(readFileSync(source.file, 'utf8'), `${source.name}_FILE`), generated: false };
  }
  if (source.generateAt === undefined) {
    throw new SealingError(SealingErrorCode.InvalidKey, `${source.name} (or ${source.name}_FILE) is not set`);
  }
  let generated = false;
  if (!existsSync(source.generateAt)) {
    mkdirSync(dirname(source.generateAt), { recursive: true, mode: 0o700 });
    writeFileSync(source.generateAt, `${randomBytes(SEALING_KEY_BYTES).toString('base64')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    chmodSync(source.generateAt, 0o600);
    generated = true;
  }
  const mode = statSync(source.generateAt).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new SealingError(
      SealingErrorCode.KeyFileTooOpen,
      `${source.generateAt} is readable or writable by others (mode ${mode.toString(8)}): chmod 600 it`,
    );
  return { key: decodeKey(readFileSync(source.generateAt, 'utf8'), source.generateAt), generated };
}

export function decodeKey(value: string, name: string): Buffer {
  const bytes = Buffer.from(value.trim(), 'base64');
  if (bytes.length !== SEALING_KEY_BYTES) {
    throw new SealingError(
      SealingErrorCode.InvalidKey,
      `${name} must be base64 of ${SEALING_KEY_BYTES} bytes (e.g. openssl rand -base64 32)`,
    );
  }
  return bytes;
}

import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '@easgate/messaging';
import type { CertVaultConfig } from '../config';
import { type MasterKey, MasterKeyRing, masterKeyFrom } from '../domain/envelope-encryption';
import { CertVaultConfigError } from '../config';

export const EMBEDDED_MASTER_KEY_FILE = 'vault-master.key';

function decode(value: string, key: string): MasterKey {
  const bytes = Buffer.from(value.trim(), 'base64');
  if (bytes.length !== 32) {
    throw new CertVaultConfigError(`cert-vault configuration is invalid: ${key} must be base64 of 32 bytes`);
  }
  return masterKeyFrom(bytes);
}

function decodeList(value: string, key: string): MasterKey[] {
  return value
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((v) => decode(v, key));
}

/**
 * The master key ring: VAULT_MASTER_KEY or VAULT_MASTER_KEY_FILE (a mounted Kubernetes Secret);
 * previous keys from VAULT_PREVIOUS_MASTER_KEYS(_FILE). With none configured (embedded mode) a key
 * is generated once into `<dataDir>/vault-master.key` (0600).
 */
export function loadMasterKeyRing(config: CertVaultConfig, dataDir: string, logger: Logger): MasterKeyRing {
  let current: MasterKey;
  if (config.masterKey !== undefined) {
    current = decode(config.masterKey, 'VAULT_MASTER_KEY');
  } else if (config.masterKeyFile !== undefined) {
    current = decode(readFileSync(config.masterKeyFile, 'utf8'), 'VAULT_MASTER_KEY_FILE');
  } else {
    const path = join(dataDir, EMBEDDED_MASTER_KEY_FILE);
    if (!existsSync(path)) {
      writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600);
      logger.warn(
        { path },
        'no VAULT_MASTER_KEY configured: generated a master key file (keep it, and back it up: without it stored certificates cannot be decrypted)',
      );
    }
    current = decode(readFileSync(path, 'utf8'), path);
  }
  const previous = [
    ...(config.previousMasterKeys ? decodeList(config.previousMasterKeys, 'VAULT_PREVIOUS_MASTER_KEYS') : []),
    ...(config.previousMasterKeysFile
      ? decodeList(readFileSync(config.previousMasterKeysFile, 'utf8'), 'VAULT_PREVIOUS_MASTER_KEYS_FILE')
      : []),
  ].filter((k) => k.id !== current.id);
  const ring = new MasterKeyRing(current, previous);
  logger.info(
    { currentMasterKeyId: current.id, previousMasterKeyIds: previous.map((k) => k.id) },
    'master keys loaded',
  );
  return ring;
}

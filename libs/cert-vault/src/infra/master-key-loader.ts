import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKey, loadSealingKey, SealingError } from '@easgate/auth';
import type { Logger } from '@easgate/messaging';
import type { CertVaultConfig } from '../config';
import { type MasterKey, MasterKeyRing, masterKeyFrom } from '../domain/envelope-encryption';
import { CertVaultConfigError } from '../config';

export const EMBEDDED_MASTER_KEY_FILE = 'vault-master.key';

function decode(value: string, key: string): MasterKey {
  return masterKeyFrom(configured(() => decodeKey(value, key)));
}

/** A key that cannot be read is a configuration error, named by its setting (never its value). */
function configured<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof SealingError)
      throw new CertVaultConfigError(`cert-vault configuration is invalid: ${err.message}`);
    throw err;
  }
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
  const { key, generated } = configured(() =>
    loadSealingKey({
      name: 'VAULT_MASTER_KEY',
      ...(config.masterKey !== undefined && { value: config.masterKey }),
      ...(config.masterKeyFile !== undefined && { file: config.masterKeyFile }),
      generateAt: join(dataDir, EMBEDDED_MASTER_KEY_FILE),
    }),
  );
  if (generated) {
    logger.warn(
      { path: join(dataDir, EMBEDDED_MASTER_KEY_FILE) },
      'no VAULT_MASTER_KEY configured: generated a master key file (keep it, and back it up: without it stored certificates cannot be decrypted)',
    );
  }
  const current = masterKeyFrom(key);
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

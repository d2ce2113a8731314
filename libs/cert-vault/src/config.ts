import { z } from 'zod';
import { parseAllowedHosts } from '@easgate/auth';
import { parseEnv } from '@easgate/service-runtime';

const positiveInt = z.coerce.number().int().positive();

/** Environment keys the vault reads. Secrets (master keys) are validated for shape, never echoed. */
const schema = z.object({
  VAULT_MASTER_KEY: z.string().optional(),
  VAULT_MASTER_KEY_FILE: z.string().optional(),
  /** Comma-separated base64 keys still accepted for unwrapping during a master-key rotation. */
  VAULT_PREVIOUS_MASTER_KEYS: z.string().optional(),
  VAULT_PREVIOUS_MASTER_KEYS_FILE: z.string().optional(),
  VAULT_EXTRA_CA_FILE: z.string().optional(),
  NODE_EXTRA_CA_CERTS: z.string().optional(),
  VAULT_EXPIRY_SCAN_INTERVAL_SECONDS: positiveInt.default(3600),
  /** Default overlap between a rotation's activation and the old certificate's retirement. */
  VAULT_ROTATION_OVERLAP_HOURS: z.coerce.number().int().min(0).default(168),
  /** Overrides the Graph base URL of every cloud (the sandbox plays Graph). */
  VAULT_GRAPH_URL: z.url({ protocol: /^https$/ }).optional(),
  VAULT_HTTP_TIMEOUT_MS: positiveInt.default(15_000),
  /** How long a decrypted signing key stays imported after its unwrap (0 = unwrap on every signature). */
  VAULT_SIGNING_KEY_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /**
   * How long a connection and its active certificate, once read, serve signatures without another
   * read (0 = read on every signature). Bounds how long another replica's rotation goes unseen.
   */
  VAULT_SIGNING_LOOKUP_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** JSON-lines file signed audit checkpoints are appended to (an anchor outside the database). */
  VAULT_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  /** host[:port],… admitted for connection endpoint overrides besides each cloud's own hosts. */
  EASGATE_ALLOWED_ENDPOINT_HOSTS: z.string().max(10_000).optional(),
  /** Rotate the active certificate automatically this many days before notAfter (0 = off). */
  /** "false" keeps retired certificates' keys on the Entra app (default: removed after the overlap). */
  VAULT_REMOVE_RETIRED_KEYS: z.enum(['true', 'false']).default('true'),
  VAULT_AUTO_ROTATE_DAYS: z.coerce.number().int().min(0).max(3650).default(0),
  /** "false" turns the background scanner off (tests call scan-now instead). */
  VAULT_EXPIRY_SCANNER: z.enum(['true', 'false']).default('true'),
});

export interface CertVaultConfig {
  readonly masterKey?: string;
  readonly masterKeyFile?: string;
  readonly previousMasterKeys?: string;
  readonly previousMasterKeysFile?: string;
  /** CA files trusted in addition to the system CAs (VAULT_EXTRA_CA_FILE, NODE_EXTRA_CA_CERTS). */
  readonly extraCaFiles: string[];
  readonly expiryScanIntervalMs: number;
  readonly expiryScannerEnabled: boolean;
  readonly rotationOverlapHours: number;
  readonly graphUrl?: string;
  readonly httpTimeoutMs: number;
  /** VAULT_SIGNING_KEY_CACHE_MS: 0 disables the signing-key cache. */
  readonly signingKeyCacheMs: number;
  /** VAULT_SIGNING_LOOKUP_CACHE_MS: 0 reads the connection and active certificate per signature. */
  readonly signingLookupCacheMs: number;
  readonly auditCheckpointFile?: string;
  /** Hosts admitted for endpoint overrides (EASGATE_ALLOWED_ENDPOINT_HOSTS). */
  readonly allowedEndpointHosts: string[];
  readonly autoRotateDays: number;
  readonly removeRetiredKeys: boolean;
}

export class CertVaultConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
}

/** Parses once; a bad configuration lists every bad key (never a value). */
export function parseCertVaultConfig(env: NodeJS.ProcessEnv): CertVaultConfig {
  const e = parseEnv(
    schema,
    env,
    (keys) => new CertVaultConfigError(`cert-vault configuration is invalid: ${keys.join(', ')}`),
  );
  if (e.VAULT_MASTER_KEY && e.VAULT_MASTER_KEY_FILE) {
    throw new CertVaultConfigError(
      'cert-vault configuration is invalid: set only one of VAULT_MASTER_KEY, VAULT_MASTER_KEY_FILE',
    );
  }
  return {
    ...(e.VAULT_MASTER_KEY !== undefined && { masterKey: e.VAULT_MASTER_KEY }),
    ...(e.VAULT_MASTER_KEY_FILE !== undefined && { masterKeyFile: e.VAULT_MASTER_KEY_FILE }),
    ...(e.VAULT_PREVIOUS_MASTER_KEYS !== undefined && { previousMasterKeys: e.VAULT_PREVIOUS_MASTER_KEYS }),
    ...(e.VAULT_PREVIOUS_MASTER_KEYS_FILE !== undefined && {
      previousMasterKeysFile: e.VAULT_PREVIOUS_MASTER_KEYS_FILE,
    }),
    extraCaFiles: [e.VAULT_EXTRA_CA_FILE, e.NODE_EXTRA_CA_CERTS].filter(
      (f): f is string => f !== undefined && f !== '',
    ),
    expiryScanIntervalMs: e.VAULT_EXPIRY_SCAN_INTERVAL_SECONDS * 1000,
    expiryScannerEnabled: e.VAULT_EXPIRY_SCANNER === 'true',
    rotationOverlapHours: e.VAULT_ROTATION_OVERLAP_HOURS,
    ...(e.VAULT_GRAPH_URL !== undefined && { graphUrl: e.VAULT_GRAPH_URL }),
    httpTimeoutMs: e.VAULT_HTTP_TIMEOUT_MS,
    signingKeyCacheMs: e.VAULT_SIGNING_KEY_CACHE_MS,
    signingLookupCacheMs: e.VAULT_SIGNING_LOOKUP_CACHE_MS,
    allowedEndpointHosts: parseAllowedHosts(e.EASGATE_ALLOWED_ENDPOINT_HOSTS),
    ...(e.VAULT_AUDIT_CHECKPOINT_FILE !== undefined && {
      auditCheckpointFile: e.VAULT_AUDIT_CHECKPOINT_FILE,
    }),
    autoRotateDays: e.VAULT_AUTO_ROTATE_DAYS,
    removeRetiredKeys: e.VAULT_REMOVE_RETIRED_KEYS === 'true',
  };
}

import { readFileSync } from 'node:fs';
import { parseEnv } from '@easgate/service-runtime';
import { z } from 'zod';
import { ExecutorError, ExecutorErrorCode } from './domain/executor-error';
import { CommandKinds } from './domain/command-kinds';

const ScopeSchema = z
  .object({
    recipientRestrictionFilter: z.string().min(1).max(2000).optional(),
    policyScopeGroupId: z.string().min(1).max(1000).optional(),
    allowTenantWide: z.boolean().optional(),
  })
  .strict()
  .refine((s) => s.recipientRestrictionFilter !== undefined || s.policyScopeGroupId !== undefined);

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const Schema = z.object({
  /**
   * Coalescing: a mailbox's pending changes are worked as one call once none has been written for
   * this long (measured on the commands' writing time as their partition is read)…
   */
  EXECUTOR_BATCH_WINDOW_MS: int(250),
  /** …and at the latest this long after the first of them was written (a steady trickle); ≥ the window. */
  EXECUTOR_MAX_BATCH_DELAY_MS: int(1000),
  /** Flush attempts of a command (each with the client's own retries) before it fails. */
  EXECUTOR_MAX_ATTEMPTS: int(5, 1),
  EXECUTOR_RETRY_BASE_MS: int(2000),
  EXECUTOR_PAGE_SIZE: int(1000, 1),
  EXECUTOR_TENANT_CONCURRENCY: int(4, 1),
  EXECUTOR_TENANT_RATE_PER_SECOND: int(20),
  /** Consecutive failures (5xx, timeouts, network) that pause a tenant, and for how long. */
  EXECUTOR_CIRCUIT_FAILURES: int(5, 1),
  EXECUTOR_CIRCUIT_OPEN_MS: int(30_000, 1),
  /** Mailboxes worked on at once (each within its tenant's limits). */
  EXECUTOR_PARALLEL_MAILBOXES: int(32, 1),
  /** Health signals: the throttling window, 429s in it that make throttling sustained, the backlog cadence. */
  EXECUTOR_HEALTH_WINDOW_SECONDS: int(60, 1),
  EXECUTOR_THROTTLE_SIGNAL_COUNT: int(3, 1),
  EXECUTOR_HEALTH_INTERVAL_MS: int(60_000, 100),
  /**
   * How long a mailbox lease lasts without renewal (renewed every third of it): how soon another
   * instance takes over the pending commands of an instance that stopped hard.
   */
  EXECUTOR_LEASE_MS: int(30_000, 300),
  /** This instance's id in the leases (default: host name + random suffix; a pod name is a good one). */
  EXECUTOR_INSTANCE_ID: z.string().min(1).max(200).optional(),
  /**
   * A wipe found `sending` after a crash: `check` reads the device's wipe status in Exchange
   * (Get-MobileDeviceStatistics; field names UNCONFIRMED) and sends only if none is recorded;
   * `fail` never re-sends and fails the command (WIPE_OUTCOME_UNKNOWN, a wipe-failed alert).
   */
  EXECUTOR_WIPE_RECOVERY: z.enum(['check', 'fail']).default('check'),
  /** Minutes between scheduled discoveries; 0 = on demand only. */
  EXECUTOR_DISCOVERY_INTERVAL_MINUTES: int(0),
  /**
   * Comma-separated tenants (ids or domains) this instance serves; others are acknowledged and left
   * to the instance that serves them (tenant sharding, shared test brokers). Empty = every tenant.
   */
  EXECUTOR_TENANTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    ),
  /**
   * Mailbox scopes by tenant (id or domain), JSON:
   * `{"contoso.onmicrosoft.com":{"recipientRestrictionFilter":"Department -eq 'Sales'","policyScopeGroupId":"…"}}`.
   */
  EXECUTOR_SCOPES: z
    .string()
    .default('{}')
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().min(1), ScopeSchema))
    .transform((r) => new Map(Object.entries(r).map(([t, s]) => [t.toLowerCase(), s]))),
  /** Command kinds every tenant has enabled (comma list; default: all but full-wipe). */
  EXECUTOR_COMMAND_KINDS: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? undefined
        : v
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean),
    )
    .pipe(z.array(z.enum(CommandKinds)).optional()),
  /** Per tenant (as commands name it), JSON: `{"contoso.onmicrosoft.com":["full-wipe","wipe-device"]}`. */
  EXECUTOR_TENANT_COMMAND_KINDS: z
    .string()
    .default('{}')
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().min(1), z.array(z.enum(CommandKinds))))
    .transform((r) => new Map(Object.entries(r).map(([t, kinds]) => [t.toLowerCase(), kinds]))),
  /** Extra CA to trust (PEM file), e.g. the sandbox's ca.pem. */
  EXECUTOR_CA_FILE: z.string().min(1).optional(),
  /** The cert-vault base URL (default: the `cert-vault` peer). */
  EXECUTOR_VAULT_URL: z.string().url().optional(),
  /** A connection from configuration (embedded mode without a vault connection). */
  EXCHANGE_APP_ID: z.string().min(1).optional(),
  EXCHANGE_ORGANIZATION: z.string().min(3).optional(),
  EXCHANGE_TENANT_ID: z.string().min(1).optional(),
  EXCHANGE_ENVIRONMENT_NAME: z.string().default('O365Default'),
  EXCHANGE_AUTHORITY_HOST: z.string().url().optional(),
  EXCHANGE_CONNECTION_URI: z.string().url().optional(),
  EXCHANGE_CERTIFICATE_FILE: z.string().min(1).optional(),
  /** The PFX password: from a file (a Kubernetes Secret) or the environment. Never logged. */
  EXCHANGE_CERTIFICATE_PASSWORD_FILE: z.string().min(1).optional(),
  EXCHANGE_CERTIFICATE_PASSWORD: z.string().optional(),
});

export type ExecutorConfig = z.infer<typeof Schema> & {
  /** The configured connection, when EXCHANGE_APP_ID is set. */
  configuredConnection?: ConfiguredConnection;
};

export interface ConfiguredConnection {
  appId: string;
  organization: string;
  tenantId?: string;
  cloud: string;
  authorityHost?: string;
  exchangeEndpoint?: string;
  certificateFile: string;
  password: string;
}

/** Parses the executor's configuration once; a bad one lists every bad KEY (never a value). */
export function parseExecutorConfig(env: NodeJS.ProcessEnv): ExecutorConfig {
  const c = parseEnv(
    Schema,
    env,
    (keys) =>
      new ExecutorError(
        ExecutorErrorCode.ConfigInvalid,
        `invalid exchange-executor configuration: ${keys.join(', ')}`,
      ),
  );
  if (c.EXCHANGE_APP_ID === undefined) return c;
  const missing = [
    ...(c.EXCHANGE_ORGANIZATION === undefined ? ['EXCHANGE_ORGANIZATION'] : []),
    ...(c.EXCHANGE_CERTIFICATE_FILE === undefined ? ['EXCHANGE_CERTIFICATE_FILE'] : []),
    ...(c.EXCHANGE_CERTIFICATE_PASSWORD_FILE === undefined && c.EXCHANGE_CERTIFICATE_PASSWORD === undefined
      ? ['EXCHANGE_CERTIFICATE_PASSWORD_FILE']
      : []),
  ];
  if (missing.length > 0)
    throw new ExecutorError(
      ExecutorErrorCode.ConfigInvalid,
      `invalid exchange-executor configuration: ${missing.join(', ')}`,
    );
  const password =
    c.EXCHANGE_CERTIFICATE_PASSWORD_FILE !== undefined
      ? readFileSync(c.EXCHANGE_CERTIFICATE_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '')
      : (c.EXCHANGE_CERTIFICATE_PASSWORD ?? '');
  return {
    ...c,
    configuredConnection: {
      appId: c.EXCHANGE_APP_ID,
      organization: c.EXCHANGE_ORGANIZATION!,
      ...(c.EXCHANGE_TENANT_ID !== undefined && { tenantId: c.EXCHANGE_TENANT_ID }),
      cloud: c.EXCHANGE_ENVIRONMENT_NAME,
      ...(c.EXCHANGE_AUTHORITY_HOST !== undefined && { authorityHost: c.EXCHANGE_AUTHORITY_HOST }),
      ...(c.EXCHANGE_CONNECTION_URI !== undefined && { exchangeEndpoint: c.EXCHANGE_CONNECTION_URI }),
      certificateFile: c.EXCHANGE_CERTIFICATE_FILE!,
      password,
    },
  };
}

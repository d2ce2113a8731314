import { z } from 'zod';
import { parseEnv } from '@easgate/service-runtime';
import { type DampingPolicy } from './domain/alert';
import { AlertingError, AlertingErrorCode } from './domain/errors';
import { DEFAULT_THRESHOLDS, type Thresholds } from './domain/rules';
import type { BackoffPolicy } from './domain/subscription';

const seconds = (fallback: number) => z.coerce.number().nonnegative().default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const schema = z.object({
  ALERTING_RESOLVE_HOLD_SECONDS: seconds(300),
  ALERTING_FLAP_WINDOW_SECONDS: seconds(1800),
  ALERTING_MAX_RESOLVE_HOLD_SECONDS: seconds(3600),
  ALERTING_SWEEP_INTERVAL_SECONDS: z.coerce.number().positive().default(60),
  ALERTING_THROTTLING_SUSTAIN_SECONDS: seconds(DEFAULT_THRESHOLDS.throttlingSustainMs / 1000),
  ALERTING_BACKLOG_MAX_DEPTH: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(DEFAULT_THRESHOLDS.backlogMaxDepth),
  ALERTING_BACKLOG_MAX_AGE_SECONDS: seconds(DEFAULT_THRESHOLDS.backlogMaxAgeSeconds),
  ALERTING_DISCOVERY_GRACE_FACTOR: z.coerce.number().min(1).default(DEFAULT_THRESHOLDS.discoveryGraceFactor),
  ALERTING_DEAD_LETTER_QUIET_SECONDS: seconds(DEFAULT_THRESHOLDS.deadLetterQuietMs / 1000),
  ALERTING_CONFIG_CHANGE_QUIET_SECONDS: seconds(DEFAULT_THRESHOLDS.configChangeQuietMs / 1000),
  ALERTING_DELIVERY_POLL_MS: z.coerce.number().int().positive().default(1000),
  ALERTING_DELIVERY_INITIAL_BACKOFF_MS: z.coerce.number().int().positive().default(1000),
  ALERTING_DELIVERY_MAX_BACKOFF_MS: z.coerce.number().int().positive().default(300_000),
  ALERTING_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().positive().default(12),
  ALERTING_DELIVERY_ALERT_AFTER_FAILURES: z.coerce.number().int().positive().default(3),
  ALERTING_DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ALERTING_RETENTION_DAYS: z.coerce.number().positive().default(90),
  ALERTMANAGER_RESEND_SECONDS: z.coerce.number().positive().default(60),
  /** smtp://user:pass@host:587 or smtps://…; e-mail subscriptions need it. */
  ALERTING_SMTP_URL: z.url().optional(),
  ALERTING_SMTP_FROM: z.string().min(3).default('easgate-alerting@localhost'),
  ALERTING_WATCH_DEAD_LETTERS: bool(true),
  ALERTING_DLQ_CONSUMER_GROUP: z.string().min(1).default('easgate-alerting-dlq'),
  ALERTING_DLQ_FROM_BEGINNING: bool(true),
  /** Base64 of 32 bytes: seals webhook secrets at rest. Unset: generated once into the data directory. */
  ALERTING_SECRETS_KEY: z.string().min(1).optional(),
  ALERTING_SECRETS_KEY_FILE: z.string().min(1).optional(),
  /** host:port,… alerts may reach although they resolve to private/loopback/link-local addresses. */
  ALERTING_ALLOWED_DESTINATION_HOSTS: z
    .string()
    .max(10_000)
    .regex(/^\s*(\[?[\w.:-]+\]?:\d{1,5}\s*(,\s*|$))*$/)
    .optional(),
});

export interface AlertingConfig {
  damping: DampingPolicy;
  thresholds: Thresholds;
  backoff: BackoffPolicy;
  sweepIntervalMs: number;
  /** Resolved alerts and finished deliveries are kept this long. */
  retentionMs: number;
  deliveryPollMs: number;
  deliveryTimeoutMs: number;
  alertmanagerResendMs: number;
  smtp?: { url: string; from: string };
  /** host:port admitted as alert destinations on private addresses (ALERTING_ALLOWED_DESTINATION_HOSTS). */
  allowedDestinationHosts: string[];
  deadLetters: { watch: boolean; consumerGroup: string; fromBeginning: boolean };
  /** Where the key sealing webhook secrets comes from (neither: a generated file in the data directory). */
  secretsKey: { value?: string; file?: string };
}

/** Parses the alerting configuration once; a bad one lists every bad key (never a value). */
export function parseAlertingConfig(env: NodeJS.ProcessEnv): AlertingConfig {
  const c = parseEnv(
    schema,
    env,
    (keys) =>
      new AlertingError(
        AlertingErrorCode.InvalidConfig,
        `invalid alerting configuration: ${keys.join(', ')}`,
      ),
  );
  if (c.ALERTING_SECRETS_KEY !== undefined && c.ALERTING_SECRETS_KEY_FILE !== undefined) {
    throw new AlertingError(
      AlertingErrorCode.InvalidConfig,
      'invalid alerting configuration: set only one of ALERTING_SECRETS_KEY, ALERTING_SECRETS_KEY_FILE',
    );
  }
  return {
    damping: {
      resolveHoldMs: c.ALERTING_RESOLVE_HOLD_SECONDS * 1000,
      flapWindowMs: c.ALERTING_FLAP_WINDOW_SECONDS * 1000,
      maxResolveHoldMs: c.ALERTING_MAX_RESOLVE_HOLD_SECONDS * 1000,
    },
    thresholds: {
      ...DEFAULT_THRESHOLDS,
      throttlingSustainMs: c.ALERTING_THROTTLING_SUSTAIN_SECONDS * 1000,
      backlogMaxDepth: c.ALERTING_BACKLOG_MAX_DEPTH,
      backlogMaxAgeSeconds: c.ALERTING_BACKLOG_MAX_AGE_SECONDS,
      discoveryGraceFactor: c.ALERTING_DISCOVERY_GRACE_FACTOR,
      deadLetterQuietMs: c.ALERTING_DEAD_LETTER_QUIET_SECONDS * 1000,
      configChangeQuietMs: c.ALERTING_CONFIG_CHANGE_QUIET_SECONDS * 1000,
    },
    backoff: {
      initialMs: c.ALERTING_DELIVERY_INITIAL_BACKOFF_MS,
      maxMs: c.ALERTING_DELIVERY_MAX_BACKOFF_MS,
      maxAttempts: c.ALERTING_DELIVERY_MAX_ATTEMPTS,
      alertAfterFailures: c.ALERTING_DELIVERY_ALERT_AFTER_FAILURES,
    },
    sweepIntervalMs: c.ALERTING_SWEEP_INTERVAL_SECONDS * 1000,
    retentionMs: c.ALERTING_RETENTION_DAYS * 86_400_000,
    deliveryPollMs: c.ALERTING_DELIVERY_POLL_MS,
    deliveryTimeoutMs: c.ALERTING_DELIVERY_TIMEOUT_MS,
    alertmanagerResendMs: c.ALERTMANAGER_RESEND_SECONDS * 1000,
    ...(c.ALERTING_SMTP_URL !== undefined && {
      smtp: { url: c.ALERTING_SMTP_URL, from: c.ALERTING_SMTP_FROM },
    }),
    allowedDestinationHosts: (c.ALERTING_ALLOWED_DESTINATION_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
    deadLetters: {
      watch: c.ALERTING_WATCH_DEAD_LETTERS,
      consumerGroup: c.ALERTING_DLQ_CONSUMER_GROUP,
      fromBeginning: c.ALERTING_DLQ_FROM_BEGINNING,
    },
    secretsKey: {
      ...(c.ALERTING_SECRETS_KEY !== undefined && { value: c.ALERTING_SECRETS_KEY }),
      ...(c.ALERTING_SECRETS_KEY_FILE !== undefined && { file: c.ALERTING_SECRETS_KEY_FILE }),
    },
  };
}

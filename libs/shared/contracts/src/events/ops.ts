import { z } from 'zod';

/**
 * Operations contracts: the health signals every service publishes on `easgate.ops.health.v1`
 * (key: tenant, or the service name for service-wide signals) and the alerts the alerting
 * service publishes on `easgate.ops.alert.v1` (key: the alert fingerprint).
 */
export const OpsEventTypes = {
  Health: 'io.easgate.ops.health',
  AlertFiring: 'io.easgate.ops.alert.firing',
  AlertResolved: 'io.easgate.ops.alert.resolved',
} as const;

const isoTime = z.iso.datetime({ offset: true });
/** The service that observed the signal (kebab-case service name, e.g. `exchange-executor`). */
const service = z.string().min(1).max(100);

export const ServiceHealthV1 = z.discriminatedUnion('signal', [
  /**
   * Exchange (or Entra) throttling seen by a service for a tenant. Publish `active: true` while
   * requests are being throttled (e.g. once per minute) and `active: false` once they pass again.
   */
  z.object({
    signal: z.literal('throttling'),
    service,
    tenant: z.string().min(1),
    active: z.boolean(),
    /** Throttled responses (429/503 with Retry-After) in the window. */
    throttledRequests: z.number().int().nonnegative(),
    windowSeconds: z.number().int().positive(),
    retryAfterSeconds: z.number().nonnegative().optional(),
    observedAt: isoTime,
  }),
  /** A tenant's circuit breaker changed state (open: calls to that tenant are not attempted). */
  z.object({
    signal: z.literal('circuit'),
    service,
    tenant: z.string().min(1),
    state: z.enum(['closed', 'open', 'half-open']),
    reason: z.string().max(2000).optional(),
    observedAt: isoTime,
  }),
  /** Work waiting in a queue (outbox, command queue): how much and how old the oldest item is. */
  z.object({
    signal: z.literal('backlog'),
    service,
    tenant: z.string().min(1).optional(),
    queue: z.string().min(1).max(200),
    depth: z.number().int().nonnegative(),
    oldestAgeSeconds: z.number().nonnegative(),
    observedAt: isoTime,
  }),
  /** A tenant's discovery (mailboxes and devices) finished; the next one is due within `intervalSeconds`. */
  z.object({
    signal: z.literal('discovery-completed'),
    service,
    tenant: z.string().min(1),
    scanId: z.string().min(1),
    intervalSeconds: z.number().int().positive(),
    mailboxes: z.number().int().nonnegative().optional(),
    devices: z.number().int().nonnegative().optional(),
    completedAt: isoTime,
  }),
  /** Dead letters written by a service (an alternative to watching the `.dlq` topics directly). */
  z.object({
    signal: z.literal('dead-letters'),
    service,
    tenant: z.string().min(1).optional(),
    topic: z.string().min(1),
    count: z.number().int().positive(),
    lastCode: z.string().optional(),
    observedAt: isoTime,
  }),
]);
export type ServiceHealthV1 = z.infer<typeof ServiceHealthV1>;
export type ServiceHealthSignal = ServiceHealthV1['signal'];

export const AlertSeverity = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

export const AlertKind = z.enum([
  'certificate-expiring',
  'certificate-expired',
  'certificate-validation-failed',
  'entra-auth-failed',
  'exchange-role-missing',
  'exchange-throttling',
  'circuit-open',
  'backlog',
  'dead-letters',
  'discovery-overdue',
  'alert-delivery-failing',
  'exchange-config-changed',
  /** A full wipe was sent as an account-only wipe (the client supports no more): the device keeps its own data. */
  'wipe-degraded',
  /** A wipe the MDM asked for failed for good: the device keeps the company's mail. */
  'wipe-failed',
  /** Sent on request to one subscription's destination ("send test alert"); never on the alert topic. */
  'test-alert',
]);
export type AlertKind = z.infer<typeof AlertKind>;

/** Data of `easgate.ops.alert.v1`. Event type: firing or resolved. Kafka key: `fingerprint`. */
export const OpsAlertV1 = z.object({
  /** Stable for one condition: hash of kind, tenant and identifying labels. */
  fingerprint: z.string().min(8).max(64),
  status: z.enum(['firing', 'resolved']),
  kind: AlertKind,
  severity: AlertSeverity,
  /** The Entra tenant, or `*` for service-wide alerts. */
  tenant: z.string().min(1),
  /** Identifying labels (also sent to Alertmanager), e.g. `{ certificateId }`, `{ code: 'AADSTS700027' }`. */
  labels: z.record(z.string(), z.string()),
  summary: z.string().min(1).max(500),
  description: z.string().max(4000),
  /** What a person should do, one line. */
  runbook: z.string().max(1000),
  startsAt: isoTime,
  /** Set when resolved. */
  endsAt: isoTime.optional(),
  /** Signals seen for this alert since it started firing. */
  occurrences: z.number().int().positive(),
  /** Increases with each published state change of this fingerprint (firing, severity change, resolved). */
  revision: z.number().int().positive(),
});
export type OpsAlertV1 = z.infer<typeof OpsAlertV1>;

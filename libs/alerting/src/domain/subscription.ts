import type { AlertKind, AlertSeverity } from '@easgate/contracts';
import { type Alert, ANY_TENANT, atLeast } from './alert';

export type Destination =
  | { readonly type: 'alertmanager'; readonly url: string }
  | { readonly type: 'webhook'; readonly url: string; readonly secret: string }
  | { readonly type: 'email'; readonly to: readonly string[] };

export interface Subscription {
  readonly id: string;
  /** `*`: every tenant's alerts (an operations team). */
  readonly tenant: string;
  readonly name: string;
  /** Empty: every kind. */
  readonly kinds: readonly AlertKind[];
  readonly minSeverity: AlertSeverity;
  readonly destination: Destination;
  readonly enabled: boolean;
  readonly createdAt: string;
}

export function subscriptionMatches(subscription: Subscription, alert: Alert): boolean {
  if (!subscription.enabled) return false;
  if (subscription.tenant !== ANY_TENANT && subscription.tenant.toLowerCase() !== alert.tenant.toLowerCase())
    return false;
  if (subscription.kinds.length > 0 && !subscription.kinds.includes(alert.kind)) return false;
  // A resolve reaches whoever got the firing: the severity filter applies to what fired.
  if (!atLeast(alert.severity, subscription.minSeverity)) return false;
  // A destination's own failure alert is not sent to that same failing destination.
  if (alert.kind === 'alert-delivery-failing' && alert.labels['subscriptionId'] === subscription.id)
    return false;
  return true;
}

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** After this many failed attempts the delivery is given up (and the destination alert fires earlier). */
  readonly maxAttempts: number;
  /** Failed attempts in a row after which the destination's own alert fires. */
  readonly alertAfterFailures: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 1000,
  maxMs: 5 * 60_000,
  maxAttempts: 12,
  alertAfterFailures: 3,
};

/** Exponential back-off before attempt `attempt + 1`. */
export function nextAttemptDelayMs(policy: BackoffPolicy, failedAttempts: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failedAttempts - 1));
}

import { CertificateExpiryThresholds } from '@easgate/contracts';

const DAY_MS = 86_400_000;

/** `expiring` at one of the thresholds, or `expired` (stored as threshold 0). */
export type ExpiryNotice = { kind: 'expiring'; thresholdDays: number } | { kind: 'expired' };

export const EXPIRED_THRESHOLD = 0;

/** Whole days left, rounded down (negative once expired). */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

export interface ExpiryDecision {
  /** The notice to publish now, if any. */
  readonly notice?: ExpiryNotice;
  /**
   * Every threshold to record as done (the notice's and the more distant ones it makes moot), so
   * a vault that was down across two thresholds sends the most urgent one, not a burst of stale ones.
   */
  readonly record: number[];
}

/**
 * Which expiry notice is due for a certificate, given the thresholds already emitted for it.
 * Threshold N is crossed when notAfter - now <= N days.
 */
export function dueExpiryNotice(
  notAfter: Date,
  now: Date,
  emitted: ReadonlySet<number>,
  thresholds: readonly number[] = CertificateExpiryThresholds,
): ExpiryDecision {
  const remainingMs = notAfter.getTime() - now.getTime();
  if (remainingMs <= 0) {
    if (emitted.has(EXPIRED_THRESHOLD)) return { record: [] };
    const moot = thresholds.filter((t) => !emitted.has(t));
    return { notice: { kind: 'expired' }, record: [EXPIRED_THRESHOLD, ...moot] };
  }
  const crossed = thresholds.filter((t) => remainingMs <= t * DAY_MS).sort((a, b) => a - b);
  const mostUrgent = crossed[0];
  if (mostUrgent === undefined || emitted.has(mostUrgent)) return { record: [] };
  const record = crossed.filter((t) => !emitted.has(t));
  return { notice: { kind: 'expiring', thresholdDays: mostUrgent }, record };
}

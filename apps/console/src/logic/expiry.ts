/** Whole days from `now` until `notAfter` (negative once expired). */
export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((new Date(notAfter).getTime() - now.getTime()) / 86_400_000);
}

export type ExpiryLevel = 'expired' | 'critical' | 'warning' | 'ok';

/** The colour band of a certificate's remaining life (the alert thresholds: 30, 7 days). */
export function expiryLevel(days: number): ExpiryLevel {
  if (days < 0) return 'expired';
  if (days <= 7) return 'critical';
  if (days <= 30) return 'warning';
  return 'ok';
}

export const EXPIRY_COLOURS: Record<ExpiryLevel, string> = {
  expired: '#b71c1c',
  critical: '#b71c1c',
  warning: '#8a4b00',
  ok: '#1b5e20',
};

export function daysLeftText(days: number): string {
  if (days < 0) return `expired ${-days} day${days === -1 ? '' : 's'} ago`;
  return `${days} day${days === 1 ? '' : 's'} left`;
}

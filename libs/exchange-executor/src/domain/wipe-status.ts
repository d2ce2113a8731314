/**
 * What Exchange holds about a device's wipe, read from Get-MobileDeviceStatistics. The field names
 * are UNCONFIRMED (reference §4.2: the Clear-MobileDevice page names `DeviceWipeStatus` and
 * `DeviceWipeAckTime`; the request/sent times and the account-only twins come from third-party code),
 * so every one of them is read when present and any of them is enough to say a wipe is on record.
 */
export interface WipeOnRecord {
  readonly state: 'pending' | 'acknowledged';
  readonly accountOnly: boolean;
  /** When the wipe was requested, if Exchange says. */
  readonly requestedAt?: string;
  /** When the device acknowledged it, if Exchange says. */
  readonly acknowledgedAt?: string;
}

const PENDING_STATUS = /^Device(AccountOnly)?WipePending$/i;
const DONE_STATUS = /^Device(AccountOnly)?WipeSucceeded$/i;

const time = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' && !Number.isNaN(Date.parse(value)) ? value : undefined;

/** A wipe pending or acknowledged for the device, or undefined when Exchange records none. */
export function wipeOnRecord(stats: Readonly<Record<string, unknown>> | undefined): WipeOnRecord | undefined {
  if (!stats) return undefined;
  const status = typeof stats['Status'] === 'string' ? stats['Status'] : '';
  const wipeStatus = typeof stats['DeviceWipeStatus'] === 'string' ? stats['DeviceWipeStatus'] : '';
  const full = {
    requested: time(stats['DeviceWipeRequestTime']),
    acked: time(stats['DeviceWipeAckTime']),
  };
  const accountOnly = {
    requested: time(stats['AccountOnlyDeviceWipeRequestTime']),
    acked: time(stats['AccountOnlyDeviceWipeAckTime']),
  };
  const isAccountOnly =
    /AccountOnly/i.test(status) || accountOnly.requested !== undefined || accountOnly.acked !== undefined;
  const requestedAt = isAccountOnly ? accountOnly.requested : full.requested;
  const acknowledgedAt = isAccountOnly ? accountOnly.acked : full.acked;
  const acknowledged =
    DONE_STATUS.test(status) ||
    /succeeded/i.test(wipeStatus) ||
    full.acked !== undefined ||
    accountOnly.acked !== undefined;
  const pending =
    PENDING_STATUS.test(status) ||
    /pending/i.test(wipeStatus) ||
    full.requested !== undefined ||
    accountOnly.requested !== undefined;
  if (!acknowledged && !pending) return undefined;
  return {
    state: acknowledged ? 'acknowledged' : 'pending',
    accountOnly: isAccountOnly,
    ...(requestedAt !== undefined && { requestedAt }),
    ...(acknowledgedAt !== undefined && { acknowledgedAt }),
  };
}

/**
 * Whether a wipe Exchange records is the one this command meant to send: requested no earlier than
 * the intent was recorded (less a clock skew), or of unknown time (then it is assumed ours: sending a
 * second wipe is the harm to avoid).
 */
export function isWipeOfIntent(record: WipeOnRecord, intentAt: string, skewMs = 5 * 60_000): boolean {
  if (record.requestedAt === undefined) return true;
  return Date.parse(record.requestedAt) >= Date.parse(intentAt) - skewMs;
}

/** The result's detail when a full wipe became an account-only wipe. */
export const ACCOUNT_ONLY_FALLBACK_DETAIL =
  'account-only wipe: full wipe unsupported for Outlook (REST) clients';

import type { DeviceStateV1 } from '@easgate/contracts';
import { wipeOnRecord } from './wipe-status';

const ACCESS_STATES = new Set<DeviceStateV1['accessState']>([
  'Allowed',
  'Blocked',
  'Quarantined',
  'DeviceDiscovery',
]);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A Get-MobileDevice object as the contracts describe a device (undefined without a usable DeviceId). */
export function deviceState(device: Readonly<Record<string, unknown>>): DeviceStateV1 | undefined {
  const deviceId = text(device['DeviceId']);
  if (!deviceId || deviceId.length > 64) return undefined;
  const raw = text(device['DeviceAccessState']);
  // States beyond the four documented ones (e.g. Unknown) are reported as still being decided.
  const accessState =
    raw && ACCESS_STATES.has(raw as DeviceStateV1['accessState'])
      ? (raw as DeviceStateV1['accessState'])
      : 'DeviceDiscovery';
  // Only objects that carry wipe fields (Get-MobileDeviceStatistics) say anything about a wipe.
  const wipe = wipeOnRecord(device);
  const optional = (name: string, value: unknown) =>
    text(value) !== undefined ? { [name]: text(value) } : {};
  return {
    deviceId,
    accessState,
    ...optional('deviceType', device['DeviceType']),
    ...optional('deviceModel', device['DeviceModel']),
    ...optional('deviceOs', device['DeviceOS']),
    ...optional('userAgent', device['DeviceUserAgent']),
    ...optional('accessStateReason', device['DeviceAccessStateReason']),
    ...optional('firstSyncTime', device['FirstSyncTime']),
    ...(wipe && { wipePending: wipe.state === 'pending' }),
    ...(wipe?.acknowledgedAt !== undefined && { wipeAcknowledgedAt: wipe.acknowledgedAt }),
  };
}

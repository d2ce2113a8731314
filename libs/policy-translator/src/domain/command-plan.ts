import type { ExchangeActionV1 } from '@easgate/contracts';
import type { DeviceDesiredState } from './device-state';
import { applyAction, type ExchangeView } from './exchange-view';
import type { TranslatorRules } from './rules';

export interface PlannedCommand {
  mailbox: string;
  action: ExchangeActionV1;
  reason: string;
  mdmDeviceId?: string;
  deviceId?: string;
}

export interface DevicePlan {
  commands: PlannedCommand[];
  /** The view with the commands' effects assumed (so the same verdict twice sends nothing). */
  view: ExchangeView;
  /** The device with its one-shot actions marked issued. */
  device: DeviceDesiredState;
}

function why(device: DeviceDesiredState): string {
  const reasons = device.reasons.length > 0 ? `: ${device.reasons.join(', ')}` : '';
  return `MDM reports ${device.state}${reasons} (rule ${device.rule}, rules v${device.rulesVersion})`.slice(
    0,
    2000,
  );
}

function accessAction(access: DeviceDesiredState['access'], deviceId: string): ExchangeActionV1 {
  switch (access) {
    case 'allow':
      return { kind: 'allow-device', deviceId };
    case 'block':
      return { kind: 'block-device', deviceId };
    case 'quarantine':
      return { kind: 'quarantine-device', deviceId };
  }
}

function accessMatches(view: ExchangeView, access: DeviceDesiredState['access'], deviceId: string): boolean {
  if (view.uncertainDeviceIds.includes(deviceId)) return false;
  const allowed = view.allowedDeviceIds.includes(deviceId);
  const blocked = view.blockedDeviceIds.includes(deviceId);
  switch (access) {
    case 'allow':
      return allowed && !blocked;
    case 'block':
      return blocked && !allowed;
    case 'quarantine':
      return !allowed && !blocked;
  }
}

function oneShot(action: DeviceDesiredState['action'], deviceId: string): ExchangeActionV1 | undefined {
  switch (action) {
    case 'none':
      return undefined;
    case 'remove-partnership':
      return { kind: 'remove-device', deviceId };
    case 'account-only-wipe':
      return { kind: 'wipe-device', deviceId, accountOnly: true };
    case 'full-wipe':
      return { kind: 'wipe-device', deviceId, accountOnly: false };
  }
}

/**
 * The smallest set of commands that takes the mailbox from what Exchange last showed (plus what
 * was sent since) to the device's desired state. Nothing when they already agree.
 */
export function planDevice(device: DeviceDesiredState, current: ExchangeView): DevicePlan {
  let view = current;
  const commands: PlannedCommand[] = [];
  const actionIssuedFor = [...device.actionIssuedFor];
  const wipesIssued = [...(device.wipesIssued ?? [])];
  const emit = (action: ExchangeActionV1, deviceId: string | undefined, reason: string) => {
    commands.push({
      mailbox: device.mailbox,
      action,
      reason,
      mdmDeviceId: device.mdmDeviceId,
      ...(deviceId !== undefined && { deviceId }),
    });
    view = applyAction(view, action);
  };
  const reason = why(device);
  for (const deviceId of device.easDeviceIds) {
    if (!accessMatches(view, device.access, deviceId))
      emit(accessAction(device.access, deviceId), deviceId, reason);
    const action = oneShot(device.action, deviceId);
    if (action && !actionIssuedFor.includes(deviceId)) {
      emit(action, deviceId, reason);
      actionIssuedFor.push(deviceId);
      if (action.kind === 'wipe-device' && !wipesIssued.includes(deviceId)) wipesIssued.push(deviceId);
    }
    // A wipe easgate sent that is still pending when the MDM reports the device compliant again is
    // cancelled; wipes an admin started by hand are never touched.
    if (
      device.state === 'compliant' &&
      wipesIssued.includes(deviceId) &&
      view.devices[deviceId]?.wipePending === true
    ) {
      emit({ kind: 'cancel-wipe', deviceId }, deviceId, reason);
      wipesIssued.splice(wipesIssued.indexOf(deviceId), 1);
    }
  }
  for (const deviceId of device.retiredEasDeviceIds) {
    const retireReason = `EAS device ${deviceId} replaced by ${device.easDeviceIds.join(', ') || '(none yet)'} for MDM device ${device.mdmDeviceId}: retired`;
    if (view.allowedDeviceIds.includes(deviceId) || view.uncertainDeviceIds.includes(deviceId)) {
      emit({ kind: 'quarantine-device', deviceId }, deviceId, retireReason);
    }
    if (view.devices[deviceId] !== undefined)
      emit({ kind: 'remove-device', deviceId }, deviceId, retireReason);
  }
  if (device.mailboxPolicy !== undefined && view.mailboxPolicy !== device.mailboxPolicy) {
    emit({ kind: 'assign-mailbox-policy', policy: device.mailboxPolicy }, undefined, reason);
  }
  return {
    commands,
    view,
    device: { ...device, actionIssuedFor, ...(wipesIssued.length > 0 && { wipesIssued }) },
  };
}

/**
 * Devices Exchange knows in this mailbox that no MDM reported, past the grace period: quarantined
 * once each (taken off the personal allow list so the organization default decides).
 */
export function planAutoQuarantine(
  current: ExchangeView,
  reportedDeviceIds: ReadonlySet<string>,
  rules: TranslatorRules,
  now: Date,
): { commands: PlannedCommand[]; view: ExchangeView } {
  if (!rules.autoQuarantine.enabled) return { commands: [], view: current };
  const graceMs = rules.autoQuarantine.graceMinutes * 60_000;
  let view = current;
  const commands: PlannedCommand[] = [];
  for (const [deviceId, device] of Object.entries(current.devices)) {
    if (reportedDeviceIds.has(deviceId) || device.autoQuarantinedAt !== undefined) continue;
    if (Date.parse(device.firstSeenAt) + graceMs > now.getTime()) continue;
    const alreadyHeld =
      (device.accessState === 'Quarantined' || device.accessState === 'Blocked') &&
      !view.allowedDeviceIds.includes(deviceId);
    view = {
      ...view,
      devices: { ...view.devices, [deviceId]: { ...device, autoQuarantinedAt: now.toISOString() } },
    };
    if (alreadyHeld) continue;
    const action: ExchangeActionV1 = { kind: 'quarantine-device', deviceId };
    commands.push({
      mailbox: current.mailbox,
      action,
      deviceId,
      reason: `no MDM has reported EAS device ${deviceId} within ${rules.autoQuarantine.graceMinutes} min of its first sync: auto-quarantine`,
    });
    view = applyAction(view, action);
  }
  return { commands, view };
}

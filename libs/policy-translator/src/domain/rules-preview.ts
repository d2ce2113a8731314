import { redecide, type DeviceDesiredState } from './device-state';
import type { TranslatorRules } from './rules';

export interface DecisionSummary {
  access: DeviceDesiredState['access'];
  action: DeviceDesiredState['action'];
  mailboxPolicy?: string | null;
}

export interface PreviewChange {
  mdmDeviceId: string;
  mailbox: string;
  state: DeviceDesiredState['state'];
  from: DecisionSummary;
  to: DecisionSummary;
}

export interface RulesPreview {
  devicesEvaluated: number;
  devicesChanging: number;
  changes: PreviewChange[];
}

function summary(device: DeviceDesiredState): DecisionSummary {
  return {
    access: device.access,
    action: device.action,
    ...(device.mailboxPolicy !== undefined && { mailboxPolicy: device.mailboxPolicy }),
  };
}

function differs(a: DecisionSummary, b: DecisionSummary): boolean {
  return a.access !== b.access || a.action !== b.action || a.mailboxPolicy !== b.mailboxPolicy;
}

/** What-if: which devices a rule change would move, and how, before it applies. */
export function previewRules(
  devices: DeviceDesiredState[],
  rules: TranslatorRules,
  version: number,
): RulesPreview {
  const changes: PreviewChange[] = [];
  for (const device of devices) {
    const from = summary(device);
    const to = summary(redecide(device, rules, version));
    if (differs(from, to))
      changes.push({
        mdmDeviceId: device.mdmDeviceId,
        mailbox: device.mailbox,
        state: device.state,
        from,
        to,
      });
  }
  return { devicesEvaluated: devices.length, devicesChanging: changes.length, changes };
}

import type { CloudEvent, MdmComplianceState, MdmComplianceV1 } from '@easgate/contracts';
import type { SandboxAdmin, SandboxAuditEntry, SandboxDevice } from '@easgate/testing';

/** What Exchange must show for a device under the default rules (libs/policy-translator README). */
export interface ExpectedAccess {
  state: 'Allowed' | 'Blocked';
  /** Individual: on the mailbox's personal list; Global: off both lists, the organization default decides. */
  reason: 'Individual' | 'Global';
}

export function expectedAccess(state: MdmComplianceState): ExpectedAccess {
  switch (state) {
    case 'compliant':
      return { state: 'Allowed', reason: 'Individual' };
    case 'enrolled':
      // quarantine-device: off the personal lists; the sandbox organization's default is Allow.
      return { state: 'Allowed', reason: 'Global' };
    case 'noncompliant':
    case 'unenrolled':
    case 'lost':
    case 'selective-wipe':
    case 'full-wipe':
      return { state: 'Blocked', reason: 'Individual' };
  }
}

export interface DeviceExpectation {
  mdmDeviceId: string;
  mailbox: string;
  easDeviceId: string;
  newest: MdmComplianceState;
  access: ExpectedAccess;
}

export interface FeedExpectations {
  devices: DeviceExpectation[];
  /** Wipes that must be sent, per EAS id: one per wipe verdict the translator applies. */
  wipes: Map<string, { expected: number; accountOnly: boolean }>;
}

const isWipe = (state: MdmComplianceState) => state === 'selective-wipe' || state === 'full-wipe';

/**
 * The truth a feed dictates, replayed the way the translator must read it: per MDM device the event
 * with the highest sequence wins (an older or equal one arriving later is stale and changes nothing);
 * a wipe verdict that follows a different verdict asks for one wipe of the device's EAS id.
 */
export function expectationsOf(events: CloudEvent<MdmComplianceV1>[]): FeedExpectations {
  const newest = new Map<string, MdmComplianceV1>();
  const wipes = new Map<string, { expected: number; accountOnly: boolean }>();
  for (const { data } of events) {
    const current = newest.get(data.mdmDeviceId);
    if (current && (data.sequence ?? 0) <= (current.sequence ?? 0)) continue;
    if (isWipe(data.state) && !(current && current.state === data.state)) {
      for (const id of data.easDeviceIds) {
        const entry = wipes.get(id) ?? { expected: 0, accountOnly: data.state === 'selective-wipe' };
        entry.expected++;
        wipes.set(id, entry);
      }
    }
    newest.set(data.mdmDeviceId, data);
  }
  const devices = [...newest.values()].flatMap((data) =>
    data.easDeviceIds.map((easDeviceId) => ({
      mdmDeviceId: data.mdmDeviceId,
      mailbox: data.userPrincipalName,
      easDeviceId,
      newest: data.state,
      access: expectedAccess(data.state),
    })),
  );
  return { devices, wipes };
}

export interface Comparison {
  devicesExpected: number;
  devicesRight: number;
  wrong: { expectation: DeviceExpectation; seen: string }[];
  wipesExpected: number;
  wipesSeen: number;
  wipesMissing: number;
  wipesDoubled: number;
  wipeDetails: string[];
  setCasMailboxCalls: number;
  mailboxes: number;
  /** The newest audit entry read (any mailbox): it moves while Exchange is still being called. */
  auditMark: number;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Clear-MobileDevice calls Exchange accepted (not cancels), per EAS id. */
export function wipeCalls(audit: SandboxAuditEntry[]): Map<string, number> {
  const calls = new Map<string, number>();
  for (const entry of audit) {
    if (entry.action !== 'Clear-MobileDevice' || entry.status !== 200) continue;
    if (entry.parameters?.['Cancel'] === true) continue;
    const identity = text(entry.parameters?.['Identity']);
    const deviceId = identity.split('§').pop() ?? identity;
    calls.set(deviceId, (calls.get(deviceId) ?? 0) + 1);
  }
  return calls;
}

/**
 * Reads the sandbox back (device states and the cmdlet audit since `auditSince`) and compares it with
 * what the feed dictates. Only the scenario's own mailboxes are read.
 */
export async function compareWithSandbox(
  sandbox: SandboxAdmin,
  expectations: FeedExpectations,
  auditSince: number,
): Promise<Comparison> {
  const mailboxes = [...new Set(expectations.devices.map((d) => d.mailbox))];
  const wanted = new Set(mailboxes.map((m) => m.toLowerCase()));
  const seen = new Map<string, SandboxDevice>();
  for (const device of await sandbox.devices()) {
    if (wanted.has(device.Mailbox.toLowerCase())) seen.set(device.DeviceId, device);
  }
  const wrong: Comparison['wrong'] = [];
  for (const expectation of expectations.devices) {
    const device = seen.get(expectation.easDeviceId);
    const state = device ? `${device.DeviceAccessState}/${device.DeviceAccessStateReason}` : 'absent';
    if (state !== `${expectation.access.state}/${expectation.access.reason}`)
      wrong.push({ expectation, seen: state });
  }
  const audit = await sandbox.audit({ kind: 'cmdlet', since: auditSince });
  const ours = new Set(mailboxes.map((m) => m.split('@')[0].toLowerCase()));
  const calls = wipeCalls(audit);
  let wipesExpected = 0;
  let wipesSeen = 0;
  let wipesMissing = 0;
  let wipesDoubled = 0;
  const wipeDetails: string[] = [];
  for (const [deviceId, { expected }] of expectations.wipes) {
    const n = calls.get(deviceId) ?? 0;
    wipesExpected += expected;
    wipesSeen += Math.min(n, expected);
    if (n < expected) {
      wipesMissing += expected - n;
      wipeDetails.push(`${deviceId}: ${n}/${expected} wipes`);
    }
    if (n > expected) {
      wipesDoubled += n - expected;
      wipeDetails.push(`${deviceId}: ${n}/${expected} wipes`);
    }
  }
  const setCas = audit.filter(
    (e) =>
      e.action === 'Set-CASMailbox' &&
      e.status === 200 &&
      ours.has(text(e.parameters?.['Identity']).split('@')[0].toLowerCase()),
  );
  return {
    devicesExpected: expectations.devices.length,
    devicesRight: expectations.devices.length - wrong.length,
    wrong,
    wipesExpected,
    wipesSeen,
    wipesMissing,
    wipesDoubled,
    wipeDetails,
    setCasMailboxCalls: setCas.length,
    mailboxes: mailboxes.length,
    auditMark: audit.length === 0 ? auditSince : audit[audit.length - 1].seq,
  };
}

/** Lost = devices in the wrong state + wipes not sent; doubled = wipes sent more than asked. */
export function lossOf(c: Comparison): { expected: number; seen: number; lost: number; doubled: number } {
  return {
    expected: c.devicesExpected + c.wipesExpected,
    seen: c.devicesRight + c.wipesSeen,
    lost: c.wrong.length + c.wipesMissing,
    doubled: c.wipesDoubled,
  };
}

/** A short account of what differs, for the failure message. */
export function describeDifferences(c: Comparison, max = 15): string {
  const lines = [
    ...c.wrong
      .slice(0, max)
      .map(
        (w) =>
          `${w.expectation.mailbox} ${w.expectation.easDeviceId} (${w.expectation.mdmDeviceId}, newest ${w.expectation.newest}): expected ${w.expectation.access.state}/${w.expectation.access.reason}, Exchange shows ${w.seen}`,
      ),
    ...c.wipeDetails.slice(0, max),
  ];
  const more = c.wrong.length + c.wipeDetails.length - lines.length;
  return lines.join('\n') + (more > 0 ? `\n… and ${more} more` : '');
}

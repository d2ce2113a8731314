import {
  type CloudEvent,
  createCloudEvent,
  type MdmComplianceState,
  type MdmComplianceV1,
  MdmEventTypes,
} from '@easgate/contracts';

/** A small deterministic PRNG so that a feed can be replayed with the same seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ComplianceEventInput {
  tenant: string;
  userPrincipalName: string;
  mdmDeviceId: string;
  easDeviceIds: string[];
  state: MdmComplianceState;
  reasons?: string[];
  platform?: string;
  model?: string;
  osVersion?: string;
  policyGroup?: string;
  sequence?: number;
  observedAt?: string;
  source?: string;
  id?: string;
}

/** One MDM compliance event as an MDM would publish it. */
export function complianceEvent(input: ComplianceEventInput): CloudEvent<MdmComplianceV1> {
  const data: MdmComplianceV1 = {
    tenant: input.tenant,
    userPrincipalName: input.userPrincipalName,
    easDeviceIds: input.easDeviceIds,
    mdmDeviceId: input.mdmDeviceId,
    platform: input.platform ?? 'iOS',
    model: input.model ?? 'iPhone15,2',
    osVersion: input.osVersion ?? '18.1',
    state: input.state,
    reasons: input.reasons ?? [],
    observedAt: input.observedAt ?? new Date().toISOString(),
    ...(input.policyGroup !== undefined && { policyGroup: input.policyGroup }),
    ...(input.sequence !== undefined && { sequence: input.sequence }),
  };
  return createCloudEvent({
    source: input.source ?? '//mdm.example/easgate-demo',
    type: MdmEventTypes.DeviceCompliance,
    subject: input.mdmDeviceId,
    ...(input.id !== undefined && { id: input.id }),
    data,
  });
}

export interface FeedOptions {
  tenant: string;
  devices: number;
  events: number;
  seed?: number;
  /** Mailbox domain, e.g. contoso.com. */
  domain?: string;
  source?: string;
  /** Share of events sent twice (at-least-once MDM connectors). */
  duplicateRate?: number;
  /** Share of events delivered before their device's previous one (delays, retries). */
  reorderRate?: number;
}

const nonCompliantReasons = [
  'passcode missing',
  'OS version below minimum',
  'jailbroken',
  'encryption disabled',
];

/**
 * A realistic mix: devices enrol, most then report "compliant" again and again (periodic
 * check-ins), some turn non-compliant and back, a few are wiped, lost, re-enrolled with a new EAS
 * id; some events arrive twice or out of order. Keyed per device with increasing `sequence`.
 */
export function complianceFeed(options: FeedOptions): CloudEvent<MdmComplianceV1>[] {
  const random = mulberry32(options.seed ?? 1);
  const domain = options.domain ?? 'contoso.com';
  const start = Date.now() - options.events * 1000;
  const devices = Array.from({ length: options.devices }, (_, i) => ({
    mdmDeviceId: `mdm-${i}`,
    upn: `user${Math.floor(i / 2)}@${domain}`,
    easId: `EAS${i}G${Math.floor(random() * 1e9)}`,
    state: undefined as MdmComplianceState | undefined,
    sequence: 0,
  }));
  const out: CloudEvent<MdmComplianceV1>[] = [];
  const lastIndex = new Map<string, number>();
  for (let n = 0; n < options.events; n++) {
    const device = devices[Math.floor(random() * devices.length)];
    const roll = random();
    let state: MdmComplianceState;
    if (device.state === undefined || device.state === 'unenrolled') state = 'enrolled';
    else if (device.state === 'enrolled') state = roll < 0.9 ? 'compliant' : 'noncompliant';
    else if (roll < 0.75) state = 'compliant';
    else if (roll < 0.93) state = 'noncompliant';
    else if (roll < 0.96) {
      state = 'enrolled';
      device.easId = `EAS${device.mdmDeviceId.slice(4)}R${Math.floor(random() * 1e9)}`; // reset: a new EAS id
    } else if (roll < 0.98) state = 'lost';
    else state = 'selective-wipe';
    device.state = state === 'selective-wipe' ? 'unenrolled' : state;
    const event = complianceEvent({
      tenant: options.tenant,
      userPrincipalName: device.upn,
      mdmDeviceId: device.mdmDeviceId,
      easDeviceIds: [device.easId],
      state,
      reasons:
        state === 'noncompliant'
          ? [nonCompliantReasons[Math.floor(random() * nonCompliantReasons.length)]]
          : [],
      sequence: ++device.sequence,
      observedAt: new Date(start + n * 1000).toISOString(),
      ...(options.source !== undefined && { source: options.source }),
    });
    // Delays: this event overtakes its device's previous one, which then arrives stale and must change nothing.
    const previous = lastIndex.get(device.mdmDeviceId);
    if (previous !== undefined && random() < (options.reorderRate ?? 0.05)) out.splice(previous, 0, event);
    else lastIndex.set(device.mdmDeviceId, out.push(event) - 1);
    if (random() < (options.duplicateRate ?? 0.05)) out.push(event);
  }
  return out;
}

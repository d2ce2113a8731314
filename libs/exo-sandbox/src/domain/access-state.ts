/**
 * The ActiveSync access decision (reference §4.6, simulator item 12). Evaluated on read, so a change of
 * DefaultAccessLevel, rules or personal lists re-evaluates every device at once: an Allow rule releases
 * matching quarantined devices and a new default level affects every device not covered by lists/rules.
 */
export type AccessLevel = 'Allow' | 'Block' | 'Quarantine';
export type DeviceAccessState = 'Allowed' | 'Blocked' | 'Quarantined' | 'DeviceDiscovery';
export type DeviceAccessStateReason = 'Global' | 'DeviceRule' | 'Individual' | 'Policy';
export type RuleCharacteristic = 'DeviceModel' | 'DeviceType' | 'DeviceOS' | 'UserAgent' | 'XMSWLHeader';

export interface AccessRule {
  name: string;
  queryString: string;
  characteristic: RuleCharacteristic;
  accessLevel: AccessLevel;
}

export interface AccessDecision {
  state: DeviceAccessState;
  reason: DeviceAccessStateReason;
  /** Name of the rule that decided (only for reason DeviceRule). */
  rule: string | undefined;
}

export interface DeviceFacts {
  deviceId: string;
  deviceModel: string;
  deviceType: string;
  deviceOS: string;
  deviceUserAgent: string;
  /** Whether the device can apply the mailbox's mobile device policy. */
  provisionable: boolean;
  /** The device is still being discovered (first contact, up to ~14 minutes in Exchange Online). */
  inDiscovery: boolean;
}

export interface MailboxFacts {
  activeSyncEnabled: boolean;
  /** Lower-cased personal lists. */
  blockedDeviceIds: ReadonlySet<string>;
  allowedDeviceIds: ReadonlySet<string>;
  /** From the assigned mobile device mailbox policy. */
  allowNonProvisionableDevices: boolean;
}

export interface AccessRuleIndex {
  /** Rules for one characteristic and lower-cased query string (exact match, case-insensitive: UNCONFIRMED). */
  find(characteristic: RuleCharacteristic, value: string): AccessRule | undefined;
}

const LevelToState: Record<AccessLevel, DeviceAccessState> = {
  Allow: 'Allowed',
  Block: 'Blocked',
  Quarantine: 'Quarantined',
};
const RulePrecedence: readonly AccessLevel[] = ['Block', 'Quarantine', 'Allow'];

export function decideAccess(
  device: DeviceFacts,
  mailbox: MailboxFacts,
  rules: AccessRuleIndex,
  defaultAccessLevel: AccessLevel,
): AccessDecision {
  // ActiveSync disabled for the user: the device cannot sync. The state/reason Exchange reports here
  // is UNCONFIRMED; Blocked/Policy is what the sandbox shows.
  if (!mailbox.activeSyncEnabled) return { state: 'Blocked', reason: 'Policy', rule: undefined };
  if (!device.provisionable && !mailbox.allowNonProvisionableDevices) {
    return { state: 'Blocked', reason: 'Policy', rule: undefined };
  }
  const id = device.deviceId.toLowerCase();
  // The personal block list beats the personal allow list.
  if (mailbox.blockedDeviceIds.has(id)) return { state: 'Blocked', reason: 'Individual', rule: undefined };
  if (mailbox.allowedDeviceIds.has(id)) return { state: 'Allowed', reason: 'Individual', rule: undefined };
  if (device.inDiscovery) return { state: 'DeviceDiscovery', reason: 'Global', rule: undefined };
  const matched = matchingRules(device, rules);
  for (const level of RulePrecedence) {
    const rule = matched.find((r) => r.accessLevel === level);
    if (rule) return { state: LevelToState[level], reason: 'DeviceRule', rule: rule.name };
  }
  return { state: LevelToState[defaultAccessLevel], reason: 'Global', rule: undefined };
}

function matchingRules(device: DeviceFacts, rules: AccessRuleIndex): AccessRule[] {
  const found: AccessRule[] = [];
  const candidates: [RuleCharacteristic, string][] = [
    ['DeviceModel', device.deviceModel],
    ['DeviceType', device.deviceType],
    ['DeviceOS', device.deviceOS],
    ['UserAgent', device.deviceUserAgent],
  ];
  for (const [characteristic, value] of candidates) {
    const rule = rules.find(characteristic, value);
    if (rule) found.push(rule);
  }
  return found;
}

/** Rule names look like `<QueryString> (<Characteristic>)` (exact format UNCONFIRMED). */
export function accessRuleName(queryString: string, characteristic: RuleCharacteristic): string {
  return `${queryString} (${characteristic})`;
}

/** An index of device access rules keyed by characteristic and lower-cased query string. */
export class AccessRuleBook implements AccessRuleIndex {
  private readonly byKey = new Map<string, AccessRule>();

  constructor(private readonly caseSensitive = false) {}

  private key(characteristic: RuleCharacteristic, value: string): string {
    return `${characteristic}|${this.caseSensitive ? value : value.toLowerCase()}`;
  }

  find(characteristic: RuleCharacteristic, value: string): AccessRule | undefined {
    return this.byKey.size === 0 ? undefined : this.byKey.get(this.key(characteristic, value));
  }

  has(characteristic: RuleCharacteristic, queryString: string): boolean {
    return this.byKey.has(this.key(characteristic, queryString));
  }

  add(rule: AccessRule): void {
    this.byKey.set(this.key(rule.characteristic, rule.queryString), rule);
  }

  remove(rule: AccessRule): void {
    this.byKey.delete(this.key(rule.characteristic, rule.queryString));
  }

  all(): AccessRule[] {
    return [...this.byKey.values()];
  }
}

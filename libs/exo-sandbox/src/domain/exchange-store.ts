import { parseMobileDeviceIdentity } from '@easgate/cmdlet-schemas';
import {
  type AccessDecision,
  type AccessLevel,
  type AccessRule,
  AccessRuleBook,
  type DeviceFacts,
  type MailboxFacts,
  decideAccess,
} from './access-state';

export interface MailboxPolicyRecord {
  guid: string;
  name: string;
  isDefault: boolean;
  settings: Record<string, unknown>;
  whenCreated: Date;
  whenChanged: Date;
}

export interface CasSettings {
  activeSyncEnabled: boolean;
  /** Personal lists as given (original case, order kept) plus lower-cased sets for decisions. */
  allowedDeviceIds: string[];
  blockedDeviceIds: string[];
  allowedLower: Set<string>;
  blockedLower: Set<string>;
  /** Explicitly assigned policy guid; undefined = the default policy. */
  policyGuid: string | undefined;
  policyIsDefaulted: boolean;
  activeSyncDebugLogging: boolean;
  activeSyncSuppressReadReceipt: boolean;
  owaEnabled: boolean;
  popEnabled: boolean;
  imapEnabled: boolean;
  mapiEnabled: boolean;
  ewsEnabled: boolean;
}

export interface MailboxRecord {
  seq: number;
  guid: string;
  exchangeGuid: string;
  externalDirectoryObjectId: string;
  name: string;
  alias: string;
  displayName: string;
  userPrincipalName: string;
  primarySmtpAddress: string;
  recipientTypeDetails: string;
  whenCreated: Date;
  whenChanged: Date;
  cas: CasSettings;
  /** Device seqs of this mailbox, in creation order. */
  /** Ascending (seqs only grow); an array is far lighter than a Set at 100k mailboxes. */
  devices: number[];
}

export interface WipeRecord {
  requestTime: Date;
  sentTime: Date | undefined;
  ackTime: Date | undefined;
  accountOnly: boolean;
  requestor: string;
  notificationEmailAddresses: string[];
}

export interface DeviceRecord {
  seq: number;
  guid: string;
  mailboxSeq: number;
  deviceId: string;
  deviceType: string;
  deviceModel: string;
  deviceOS: string;
  deviceOSLanguage: string;
  deviceUserAgent: string;
  friendlyName: string;
  deviceImei: string;
  deviceMobileOperator: string;
  deviceTelephoneNumber: string;
  deviceActiveSyncVersion: string;
  clientType: string;
  clientVersion: string;
  provisionable: boolean;
  firstSyncTime: Date;
  lastSuccessSync: Date | undefined;
  lastSyncAttemptTime: Date;
  /** Epoch ms until which the device is in DeviceDiscovery. */
  discoveryUntil: number;
  wipe: WipeRecord | undefined;
  whenCreated: Date;
  whenChanged: Date;
}

export interface OrganizationSettings {
  guid: string;
  defaultAccessLevel: AccessLevel;
  adminMailRecipients: string[];
  userMailInsert: string;
  otaNotificationMailInsert: string;
  allowAccessForUnSupportedPlatform: boolean;
  enableMobileMailboxPolicyWhenCAInplace: boolean;
  tenantAdminPreference: string;
  whenChanged: Date;
}

export interface AccessRuleRecord extends AccessRule {
  guid: string;
  whenCreated: Date;
  whenChanged: Date;
}

export const DefaultPolicyName = 'Default';

/**
 * The simulated Exchange organization. Everything is indexed (maps keyed by identity forms, device
 * seqs per mailbox, rules by characteristic) so that lookups and cursor-based pages never scan
 * the whole population.
 */
export class ExchangeStore {
  /** Slots indexed by seq (seq 0 unused); removed devices leave an empty slot, so cursors stay valid. */
  private readonly mailboxes: (MailboxRecord | undefined)[] = [undefined];
  private readonly devices: (DeviceRecord | undefined)[] = [undefined];
  private readonly mailboxKeys = new Map<string, MailboxRecord>();
  private readonly devicesByGuid = new Map<string, DeviceRecord>();
  /** `<mailboxSeq>|<lower(type§id)>` → device. */
  private readonly devicesByObjectName = new Map<string, DeviceRecord>();
  private readonly policies = new Map<string, MailboxPolicyRecord>();
  private readonly policyAssignments = new Map<string, number>();
  private readonly ruleRecords = new Map<string, AccessRuleRecord>();
  readonly rules: AccessRuleBook;
  private deviceCount = 0;

  constructor(
    readonly organization: string,
    readonly tenantId: string,
    readonly settings: OrganizationSettings,
    options: { ruleMatchCaseSensitive?: boolean } = {},
  ) {
    this.rules = new AccessRuleBook(options.ruleMatchCaseSensitive ?? false);
  }

  // ---- mailboxes ---------------------------------------------------------------------------------

  addMailbox(record: Omit<MailboxRecord, 'seq' | 'devices'>): MailboxRecord {
    const mailbox: MailboxRecord = { ...record, seq: this.mailboxes.length, devices: [] };
    this.mailboxes.push(mailbox);
    for (const key of [
      mailbox.name,
      mailbox.alias,
      mailbox.userPrincipalName,
      mailbox.primarySmtpAddress,
      mailbox.guid,
      mailbox.exchangeGuid,
      mailbox.externalDirectoryObjectId,
    ]) {
      this.mailboxKeys.set(key.toLowerCase(), mailbox);
    }
    if (mailbox.cas.policyGuid) this.countAssignment(mailbox.cas.policyGuid, 1);
    return mailbox;
  }

  findMailbox(identity: string): MailboxRecord | undefined {
    const key = identity
      .trim()
      .toLowerCase()
      .replace(/^(smtp|upn):/, '');
    // A DN is resolved by its leading CN (the mailbox name) rather than indexing 100k DN strings.
    const cn = /^cn=([^,]+),/.exec(key);
    const found = this.mailboxKeys.get(cn ? cn[1] : key);
    return found && (!cn || this.mailboxDn(found).toLowerCase() === key) ? found : undefined;
  }

  mailboxBySeq(seq: number): MailboxRecord | undefined {
    return this.mailboxes[seq];
  }

  get mailboxSeqLimit(): number {
    return this.mailboxes.length;
  }

  get mailboxTotal(): number {
    return this.mailboxes.length - 1;
  }

  mailboxDn(m: MailboxRecord): string {
    return `CN=${m.name},OU=${this.organization},OU=Microsoft Exchange Hosted Organizations,DC=SANDBOX01A001,DC=prod,DC=outlook,DC=com`;
  }

  setPersonalList(mailbox: MailboxRecord, which: 'allowed' | 'blocked', ids: string[]): void {
    const unique: string[] = [];
    const lower = new Set<string>();
    for (const id of ids) {
      const l = id.toLowerCase();
      if (!lower.has(l)) {
        lower.add(l);
        unique.push(id);
      }
    }
    if (which === 'allowed') {
      mailbox.cas.allowedDeviceIds = unique;
      mailbox.cas.allowedLower = lower;
    } else {
      mailbox.cas.blockedDeviceIds = unique;
      mailbox.cas.blockedLower = lower;
    }
  }

  assignPolicy(mailbox: MailboxRecord, policyGuid: string | undefined, isDefaulted: boolean): void {
    if (mailbox.cas.policyGuid) this.countAssignment(mailbox.cas.policyGuid, -1);
    mailbox.cas.policyGuid = policyGuid;
    mailbox.cas.policyIsDefaulted = isDefaulted;
    if (policyGuid) this.countAssignment(policyGuid, 1);
  }

  private countAssignment(policyGuid: string, delta: number): void {
    this.policyAssignments.set(policyGuid, (this.policyAssignments.get(policyGuid) ?? 0) + delta);
  }

  // ---- devices -----------------------------------------------------------------------------------

  addDevice(record: Omit<DeviceRecord, 'seq'>): DeviceRecord {
    const device: DeviceRecord = { ...record, seq: this.devices.length };
    const mailbox = this.mailboxes[device.mailboxSeq];
    if (!mailbox) throw new Error(`no mailbox with seq ${device.mailboxSeq}`);
    this.devices.push(device);
    this.deviceCount++;
    mailbox.devices.push(device.seq);
    this.devicesByGuid.set(device.guid, device);
    this.devicesByObjectName.set(
      this.objectKey(device.mailboxSeq, this.namePrefix(device), device.deviceId),
      device,
    );
    return device;
  }

  removeDevice(device: DeviceRecord): void {
    this.devices[device.seq] = undefined;
    this.deviceCount--;
    const owner = this.mailboxes[device.mailboxSeq];
    if (owner) owner.devices = owner.devices.filter((s) => s !== device.seq);
    this.devicesByGuid.delete(device.guid);
    this.devicesByObjectName.delete(
      this.objectKey(device.mailboxSeq, this.namePrefix(device), device.deviceId),
    );
  }

  deviceBySeq(seq: number): DeviceRecord | undefined {
    return this.devices[seq];
  }

  get deviceSeqLimit(): number {
    return this.devices.length;
  }

  get deviceTotal(): number {
    return this.deviceCount;
  }

  findDeviceInMailbox(
    mailbox: MailboxRecord,
    namePrefix: string,
    deviceId: string,
  ): DeviceRecord | undefined {
    return this.devicesByObjectName.get(this.objectKey(mailbox.seq, namePrefix, deviceId));
  }

  /** Devices of a mailbox with a given DeviceId, whatever their type. */
  findDevicesByDeviceId(mailbox: MailboxRecord, deviceId: string): DeviceRecord[] {
    const l = deviceId.toLowerCase();
    return mailbox.devices.map((s) => this.devices[s]!).filter((d) => d.deviceId.toLowerCase() === l);
  }

  /**
   * Resolves `<mailbox>\ExchangeActiveSyncDevices\<Type>§<DeviceId>`, the device GUID or its DN.
   */
  findDevice(identity: string): DeviceRecord | undefined {
    const parsed = parseMobileDeviceIdentity(identity);
    if (!parsed) return undefined;
    switch (parsed.kind) {
      case 'guid':
        return this.devicesByGuid.get(parsed.guid);
      case 'dn':
      case 'path': {
        const mailbox = this.findMailbox(parsed.kind === 'dn' ? parsed.mailboxCn : parsed.mailbox);
        return mailbox ? this.findDeviceInMailbox(mailbox, parsed.deviceType, parsed.deviceId) : undefined;
      }
    }
  }

  /** Outlook (REST) devices are named `REST§Outlook§<id>` (documented); EAS ones `<DeviceType>§<id>` (UNCONFIRMED). */
  namePrefix(d: Pick<DeviceRecord, 'clientType' | 'deviceType'>): string {
    return d.clientType === 'Outlook' ? 'REST§Outlook' : d.deviceType;
  }

  deviceObjectName(d: DeviceRecord): string {
    return `${this.namePrefix(d)}§${d.deviceId}`;
  }

  deviceIdentity(d: DeviceRecord): string {
    return `${this.mailboxes[d.mailboxSeq]!.name}\\ExchangeActiveSyncDevices\\${this.deviceObjectName(d)}`;
  }

  deviceDn(d: DeviceRecord): string {
    return `CN=${this.deviceObjectName(d)},CN=ExchangeActiveSyncDevices,${this.mailboxDn(this.mailboxes[d.mailboxSeq]!)}`;
  }

  private objectKey(mailboxSeq: number, namePrefix: string, deviceId: string): string {
    return `${mailboxSeq}|${namePrefix.toLowerCase()}§${deviceId.toLowerCase()}`;
  }

  decide(device: DeviceRecord, nowMs: number): AccessDecision {
    const mailbox = this.mailboxes[device.mailboxSeq]!;
    const facts: DeviceFacts = {
      deviceId: device.deviceId,
      deviceModel: device.deviceModel,
      deviceType: device.deviceType,
      deviceOS: device.deviceOS,
      deviceUserAgent: device.deviceUserAgent,
      provisionable: device.provisionable,
      inDiscovery: device.discoveryUntil > nowMs,
    };
    const policy = this.effectivePolicy(mailbox);
    const mailboxFacts: MailboxFacts = {
      activeSyncEnabled: mailbox.cas.activeSyncEnabled,
      blockedDeviceIds: mailbox.cas.blockedLower,
      allowedDeviceIds: mailbox.cas.allowedLower,
      allowNonProvisionableDevices: policy?.settings.AllowNonProvisionableDevices !== false,
    };
    return decideAccess(facts, mailboxFacts, this.rules, this.settings.defaultAccessLevel);
  }

  // ---- mobile device mailbox policies ------------------------------------------------------------

  addPolicy(policy: MailboxPolicyRecord): void {
    if (policy.isDefault) for (const p of this.policies.values()) p.isDefault = false;
    this.policies.set(policy.guid, policy);
  }

  findPolicy(identity: string): MailboxPolicyRecord | undefined {
    const key = identity.trim().toLowerCase();
    for (const p of this.policies.values()) {
      if (p.guid === key || p.name.toLowerCase() === key) return p;
    }
    return undefined;
  }

  listPolicies(): MailboxPolicyRecord[] {
    return [...this.policies.values()];
  }

  makeDefaultPolicy(policy: MailboxPolicyRecord): void {
    for (const p of this.policies.values()) p.isDefault = p === policy;
  }

  policyAssignmentCount(policy: MailboxPolicyRecord): number {
    return this.policyAssignments.get(policy.guid) ?? 0;
  }

  removePolicy(policy: MailboxPolicyRecord): void {
    this.policies.delete(policy.guid);
  }

  defaultPolicy(): MailboxPolicyRecord | undefined {
    for (const p of this.policies.values()) if (p.isDefault) return p;
    return undefined;
  }

  effectivePolicy(mailbox: MailboxRecord): MailboxPolicyRecord | undefined {
    return (
      (mailbox.cas.policyGuid ? this.policies.get(mailbox.cas.policyGuid) : undefined) ?? this.defaultPolicy()
    );
  }

  // ---- device access rules -----------------------------------------------------------------------

  addRule(rule: AccessRuleRecord): void {
    this.ruleRecords.set(rule.guid, rule);
    this.rules.add(rule);
  }

  findRule(identity: string): AccessRuleRecord | undefined {
    const key = identity.trim().toLowerCase();
    for (const r of this.ruleRecords.values()) {
      if (r.guid === key || r.name.toLowerCase() === key) return r;
    }
    return undefined;
  }

  listRules(): AccessRuleRecord[] {
    return [...this.ruleRecords.values()];
  }

  removeRule(rule: AccessRuleRecord): void {
    this.ruleRecords.delete(rule.guid);
    this.rules.remove(rule);
  }
}

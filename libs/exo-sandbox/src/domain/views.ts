import type {
  DeviceRecord,
  ExchangeStore,
  MailboxPolicyRecord,
  MailboxRecord,
  AccessRuleRecord,
} from './exchange-store';

// Cmdlet output objects: PowerShell property names (PascalCase), ISO-8601 dates, enums as strings.
type View = Record<string, unknown>;

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

export function organizationId(store: ExchangeStore): string {
  return `SANDBOX01A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/${store.organization} - SANDBOX01A001.prod.outlook.com/ConfigurationUnits/${store.organization}/Configuration`;
}

export function mailboxView(store: ExchangeStore, m: MailboxRecord): View {
  return {
    Identity: m.name,
    Name: m.name,
    Alias: m.alias,
    DisplayName: m.displayName,
    UserPrincipalName: m.userPrincipalName,
    PrimarySmtpAddress: m.primarySmtpAddress,
    EmailAddresses: [`SMTP:${m.primarySmtpAddress}`],
    RecipientType: 'UserMailbox',
    RecipientTypeDetails: m.recipientTypeDetails,
    ExternalDirectoryObjectId: m.externalDirectoryObjectId,
    ExchangeGuid: m.exchangeGuid,
    ExchangeObjectId: m.guid,
    Guid: m.guid,
    DistinguishedName: store.mailboxDn(m),
    OrganizationId: organizationId(store),
    WhenCreated: iso(m.whenCreated),
    WhenChanged: iso(m.whenChanged),
  };
}

export function casMailboxView(store: ExchangeStore, m: MailboxRecord): View {
  const policy = store.effectivePolicy(m);
  return {
    Identity: m.name,
    Name: m.name,
    Guid: m.guid,
    ExternalDirectoryObjectId: m.externalDirectoryObjectId,
    OrganizationId: organizationId(store),
    ActiveSyncEnabled: m.cas.activeSyncEnabled,
    ActiveSyncAllowedDeviceIDs: [...m.cas.allowedDeviceIds],
    ActiveSyncBlockedDeviceIDs: [...m.cas.blockedDeviceIds],
    ActiveSyncMailboxPolicy: policy?.name ?? null,
    ActiveSyncMailboxPolicyIsDefaulted: m.cas.policyIsDefaulted,
    ActiveSyncSuppressReadReceipt: m.cas.activeSyncSuppressReadReceipt,
    HasActiveSyncDevicePartnership: m.devices.length > 0,
    ActiveSyncDebugLogging: m.cas.activeSyncDebugLogging,
    DisplayName: m.displayName,
    PrimarySmtpAddress: m.primarySmtpAddress,
    DistinguishedName: store.mailboxDn(m),
    OWAEnabled: m.cas.owaEnabled,
    OWAforDevicesEnabled: m.cas.owaEnabled,
    EwsEnabled: m.cas.ewsEnabled,
    PopEnabled: m.cas.popEnabled,
    ImapEnabled: m.cas.imapEnabled,
    MAPIEnabled: m.cas.mapiEnabled,
  };
}

export function mobileDeviceView(store: ExchangeStore, d: DeviceRecord, nowMs: number): View {
  const decision = store.decide(d, nowMs);
  const mailbox = store.mailboxBySeq(d.mailboxSeq)!;
  return {
    Identity: store.deviceIdentity(d),
    Guid: d.guid,
    DeviceId: d.deviceId,
    FriendlyName: d.friendlyName,
    DeviceModel: d.deviceModel,
    DeviceOS: d.deviceOS,
    DeviceOSLanguage: d.deviceOSLanguage,
    DeviceType: d.deviceType,
    DeviceUserAgent: d.deviceUserAgent,
    DeviceImei: d.deviceImei,
    DeviceMobileOperator: d.deviceMobileOperator,
    DeviceTelephoneNumber: d.deviceTelephoneNumber,
    DeviceActiveSyncVersion: d.deviceActiveSyncVersion,
    ClientType: d.clientType,
    ClientVersion: d.clientVersion,
    DeviceAccessState: decision.state,
    DeviceAccessStateReason: decision.reason,
    DeviceAccessControlRule: decision.rule ?? null,
    FirstSyncTime: iso(d.firstSyncTime),
    UserDisplayName: `${store.organization}/Users/${mailbox.name}`,
    ProvisioningFlags: d.provisionable ? 3 : 0,
    Name: store.deviceObjectName(d),
    DistinguishedName: store.deviceDn(d),
    ExchangeObjectId: d.guid,
    IsManaged: false,
    IsCompliant: false,
    WhenCreated: iso(d.whenCreated),
    WhenChanged: iso(d.whenChanged),
  };
}

export function mobileDeviceStatisticsView(store: ExchangeStore, d: DeviceRecord, nowMs: number): View {
  const base = mobileDeviceView(store, d, nowMs);
  const wipe = d.wipe;
  const policy = store.effectivePolicy(store.mailboxBySeq(d.mailboxSeq)!);
  // Status values and wipe field names are UNCONFIRMED (reference §4.2).
  let status = 'DeviceOk';
  if (wipe && !wipe.ackTime) status = wipe.accountOnly ? 'DeviceAccountOnlyWipePending' : 'DeviceWipePending';
  if (wipe?.ackTime) status = wipe.accountOnly ? 'DeviceAccountOnlyWipeSucceeded' : 'DeviceWipeSucceeded';
  return {
    ...base,
    LastSuccessSync: iso(d.lastSuccessSync),
    LastSyncAttemptTime: iso(d.lastSyncAttemptTime),
    Status: status,
    DeviceFriendlyName: d.friendlyName,
    DeviceWipeStatus: wipe ? (wipe.ackTime ? 'WipeSucceeded' : 'PendingWipe') : null,
    DeviceWipeRequestTime: wipe && !wipe.accountOnly ? iso(wipe.requestTime) : null,
    DeviceWipeSentTime: wipe && !wipe.accountOnly ? iso(wipe.sentTime) : null,
    DeviceWipeAckTime: wipe && !wipe.accountOnly ? iso(wipe.ackTime) : null,
    AccountOnlyDeviceWipeRequestTime: wipe?.accountOnly ? iso(wipe.requestTime) : null,
    AccountOnlyDeviceWipeSentTime: wipe?.accountOnly ? iso(wipe.sentTime) : null,
    AccountOnlyDeviceWipeAckTime: wipe?.accountOnly ? iso(wipe.ackTime) : null,
    LastDeviceWipeRequestor: wipe?.requestor ?? null,
    LastPolicyUpdateTime: iso(d.lastSuccessSync),
    DevicePolicyApplied: policy?.name ?? null,
    DevicePolicyApplicationStatus: d.provisionable ? 'AppliedInFull' : 'NotApplied',
    IsRemoteWipeSupported: d.clientType === 'EAS',
    NumberOfFoldersSynced: 5,
  };
}

export function mailboxPolicyView(p: MailboxPolicyRecord): View {
  return {
    Identity: p.name,
    Name: p.name,
    Guid: p.guid,
    IsDefault: p.isDefault,
    ...p.settings,
    WhenCreated: iso(p.whenCreated),
    WhenChanged: iso(p.whenChanged),
  };
}

export function organizationSettingsView(store: ExchangeStore): View {
  const s = store.settings;
  return {
    Identity: 'Mobile Mailbox Settings',
    Name: 'Mobile Mailbox Settings',
    Guid: s.guid,
    DefaultAccessLevel: s.defaultAccessLevel,
    AdminMailRecipients: [...s.adminMailRecipients],
    UserMailInsert: s.userMailInsert || null,
    OtaNotificationMailInsert: s.otaNotificationMailInsert || null,
    AllowAccessForUnSupportedPlatform: s.allowAccessForUnSupportedPlatform,
    EnableMobileMailboxPolicyWhenCAInplace: s.enableMobileMailboxPolicyWhenCAInplace,
    TenantAdminPreference: s.tenantAdminPreference,
    WhenChanged: iso(s.whenChanged),
  };
}

export function accessRuleView(r: AccessRuleRecord): View {
  return {
    Identity: r.name,
    Name: r.name,
    Guid: r.guid,
    QueryString: r.queryString,
    Characteristic: r.characteristic,
    AccessLevel: r.accessLevel,
    WhenCreated: iso(r.whenCreated),
    WhenChanged: iso(r.whenChanged),
  };
}

export function organizationConfigView(store: ExchangeStore, displayName: string): View {
  return {
    Identity: store.organization,
    Name: store.organization,
    DisplayName: displayName,
    Guid: store.tenantId,
    OrganizationId: organizationId(store),
    IsDehydrated: false,
    OAuth2ClientProfileEnabled: true,
    WhenChanged: iso(store.settings.whenChanged),
  };
}

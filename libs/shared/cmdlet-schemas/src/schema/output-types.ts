import { defineOutput } from './cmdlet-definition';
import {
  DEVICE_ACCESS_STATE_REASONS,
  DEVICE_ACCESS_STATES,
  DeviceAccessCharacteristic,
  DeviceAccessLevel,
  MOBILE_CLIENT_TYPES,
  RecipientTypeDetails,
} from './enums';

// Output properties keep PowerShell's PascalCase names; dates are ISO-8601 strings and enums strings in
// JSON (reference §3.4, §"faithful simulator" 10). Fields marked `unconfirmed` are from the public
// cmdlet docs / Exchange object model, not from the reference.
const FROM_DOCS = 'public cmdlet docs, not the reference';

export const MailboxOutput = defineOutput({
  name: 'Mailbox',
  fields: [
    { name: 'Identity', type: 'string' },
    { name: 'Name', type: 'string' },
    { name: 'Alias', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'DisplayName', type: 'string' },
    { name: 'UserPrincipalName', type: 'string' },
    { name: 'PrimarySmtpAddress', type: 'string' },
    { name: 'EmailAddresses', type: 'stringList', unconfirmed: FROM_DOCS },
    { name: 'RecipientType', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'RecipientTypeDetails', type: 'enum', values: RecipientTypeDetails.values },
    { name: 'ExternalDirectoryObjectId', type: 'string' },
    { name: 'ExchangeGuid', type: 'guid', unconfirmed: FROM_DOCS },
    { name: 'ExchangeObjectId', type: 'guid', unconfirmed: FROM_DOCS },
    { name: 'Guid', type: 'guid' },
    { name: 'DistinguishedName', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'OrganizationId', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'WhenCreated', type: 'dateTime', unconfirmed: FROM_DOCS },
    { name: 'WhenChanged', type: 'dateTime', unconfirmed: FROM_DOCS },
  ],
});

export const CasMailboxOutput = defineOutput({
  name: 'CASMailbox',
  fields: [
    // The Get-EXOCasMailbox "ActiveSync" property set (reference §4.3).
    { name: 'Identity', type: 'string' },
    { name: 'Name', type: 'string' },
    { name: 'Guid', type: 'guid' },
    { name: 'ExternalDirectoryObjectId', type: 'string' },
    { name: 'OrganizationId', type: 'string' },
    { name: 'ActiveSyncEnabled', type: 'bool' },
    { name: 'ActiveSyncAllowedDeviceIDs', type: 'stringList' },
    { name: 'ActiveSyncBlockedDeviceIDs', type: 'stringList' },
    { name: 'ActiveSyncMailboxPolicy', type: 'string' },
    { name: 'ActiveSyncMailboxPolicyIsDefaulted', type: 'bool' },
    { name: 'ActiveSyncSuppressReadReceipt', type: 'bool' },
    { name: 'HasActiveSyncDevicePartnership', type: 'bool' },
    // Beyond the ActiveSync property set.
    { name: 'ActiveSyncDebugLogging', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'DisplayName', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'PrimarySmtpAddress', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'DistinguishedName', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'OWAEnabled', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'OWAforDevicesEnabled', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'EwsEnabled', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'PopEnabled', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'ImapEnabled', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'MAPIEnabled', type: 'bool', unconfirmed: FROM_DOCS },
  ],
});

const MOBILE_DEVICE_FIELDS = [
  // Fields CIPP reads (reference §4.1) and the filterable list.
  { name: 'Identity', type: 'string' },
  { name: 'Guid', type: 'guid' },
  { name: 'DeviceId', type: 'string' },
  { name: 'FriendlyName', type: 'string' },
  { name: 'DeviceModel', type: 'string' },
  { name: 'DeviceOS', type: 'string' },
  { name: 'DeviceOSLanguage', type: 'string' },
  { name: 'DeviceType', type: 'string' },
  { name: 'DeviceUserAgent', type: 'string' },
  { name: 'DeviceImei', type: 'string' },
  { name: 'DeviceMobileOperator', type: 'string' },
  { name: 'DeviceTelephoneNumber', type: 'string' },
  { name: 'DeviceActiveSyncVersion', type: 'string' },
  { name: 'ClientType', type: 'enum', values: MOBILE_CLIENT_TYPES },
  { name: 'ClientVersion', type: 'string' },
  { name: 'DeviceAccessState', type: 'enum', values: DEVICE_ACCESS_STATES },
  { name: 'DeviceAccessStateReason', type: 'enum', values: DEVICE_ACCESS_STATE_REASONS },
  { name: 'DeviceAccessControlRule', type: 'string' },
  { name: 'FirstSyncTime', type: 'dateTime' },
  { name: 'UserDisplayName', type: 'string' },
  { name: 'ProvisioningFlags', type: 'int' },
  { name: 'Name', type: 'string', unconfirmed: FROM_DOCS },
  { name: 'DistinguishedName', type: 'string', unconfirmed: FROM_DOCS },
  {
    name: 'ExchangeObjectId',
    type: 'guid',
    unconfirmed: 'reference §4.1 says GUID identity = ExchangeObjectId',
  },
  { name: 'IsManaged', type: 'bool', unconfirmed: FROM_DOCS },
  { name: 'IsCompliant', type: 'bool', unconfirmed: FROM_DOCS },
  { name: 'WhenCreated', type: 'dateTime', unconfirmed: FROM_DOCS },
  { name: 'WhenChanged', type: 'dateTime', unconfirmed: FROM_DOCS },
] as const;

export const MobileDeviceOutput = defineOutput({ name: 'MobileDevice', fields: MOBILE_DEVICE_FIELDS });

export const MobileDeviceStatisticsOutput = defineOutput({
  name: 'MobileDeviceStatistics',
  fields: [
    ...MOBILE_DEVICE_FIELDS,
    { name: 'LastSuccessSync', type: 'dateTime' },
    { name: 'LastSyncAttemptTime', type: 'dateTime' },
    {
      name: 'Status',
      type: 'string',
      unconfirmed: 'values (DeviceOk, DeviceWipePending, …) not in the reference',
    },
    { name: 'DeviceFriendlyName', type: 'string' },
    { name: 'DeviceWipeStatus', type: 'string', unconfirmed: 'named by the Clear-MobileDevice doc only' },
    { name: 'DeviceWipeRequestTime', type: 'dateTime', unconfirmed: 'reference §4.2' },
    { name: 'DeviceWipeSentTime', type: 'dateTime', unconfirmed: 'reference §4.2' },
    { name: 'DeviceWipeAckTime', type: 'dateTime', unconfirmed: 'reference §4.2' },
    { name: 'LastDeviceWipeRequestor', type: 'string', unconfirmed: 'reference §4.2' },
    { name: 'LastPolicyUpdateTime', type: 'dateTime', unconfirmed: FROM_DOCS },
    { name: 'DevicePolicyApplied', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'DevicePolicyApplicationStatus', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'IsRemoteWipeSupported', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'NumberOfFoldersSynced', type: 'int', unconfirmed: FROM_DOCS },
  ],
});

export const MobileDeviceMailboxPolicyOutput = defineOutput({
  name: 'MobileDeviceMailboxPolicy',
  fields: [
    { name: 'Identity', type: 'string' },
    { name: 'Name', type: 'string' },
    { name: 'Guid', type: 'guid' },
    { name: 'IsDefault', type: 'bool' },
    { name: 'PasswordEnabled', type: 'bool' },
    { name: 'AlphanumericPasswordRequired', type: 'bool' },
    { name: 'AllowSimplePassword', type: 'bool' },
    { name: 'MinPasswordLength', type: 'int' },
    { name: 'MinPasswordComplexCharacters', type: 'int' },
    { name: 'MaxPasswordFailedAttempts', type: 'unlimitedString' },
    { name: 'MaxInactivityTimeLock', type: 'unlimitedString' },
    { name: 'PasswordExpiration', type: 'unlimitedString' },
    { name: 'PasswordHistory', type: 'int' },
    { name: 'PasswordRecoveryEnabled', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'DeviceEncryptionEnabled', type: 'bool' },
    { name: 'RequireDeviceEncryption', type: 'bool' },
    { name: 'RequireStorageCardEncryption', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'AllowNonProvisionableDevices', type: 'bool' },
    { name: 'DevicePolicyRefreshInterval', type: 'unlimitedString' },
    { name: 'MaxAttachmentSize', type: 'unlimitedString' },
    { name: 'AttachmentsEnabled', type: 'bool' },
    { name: 'AllowCamera', type: 'bool' },
    { name: 'AllowBluetooth', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'AllowBrowser', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'AllowWiFi', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'AllowStorageCard', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'AllowHTMLEmail', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'AllowTextMessaging', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'AllowApplePushNotifications', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'MaxCalendarAgeFilter', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'MaxEmailAgeFilter', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'RequireManualSyncWhenRoaming', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'IrmEnabled', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'DistinguishedName', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'WhenCreated', type: 'dateTime', unconfirmed: FROM_DOCS },
    { name: 'WhenChanged', type: 'dateTime', unconfirmed: FROM_DOCS },
  ],
});

export const ActiveSyncOrganizationSettingsOutput = defineOutput({
  name: 'ActiveSyncOrganizationSettings',
  fields: [
    { name: 'Identity', type: 'string' },
    { name: 'Name', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'Guid', type: 'guid', unconfirmed: FROM_DOCS },
    { name: 'DefaultAccessLevel', type: 'enum', values: DeviceAccessLevel.values },
    { name: 'AdminMailRecipients', type: 'stringList' },
    { name: 'UserMailInsert', type: 'string' },
    { name: 'OtaNotificationMailInsert', type: 'string' },
    { name: 'AllowAccessForUnSupportedPlatform', type: 'bool' },
    { name: 'EnableMobileMailboxPolicyWhenCAInplace', type: 'bool', unconfirmed: 'type' },
    { name: 'TenantAdminPreference', type: 'string', unconfirmed: 'type and values' },
    { name: 'WhenChanged', type: 'dateTime', unconfirmed: FROM_DOCS },
  ],
});

export const ActiveSyncDeviceAccessRuleOutput = defineOutput({
  name: 'ActiveSyncDeviceAccessRule',
  fields: [
    { name: 'Identity', type: 'string' },
    { name: 'Name', type: 'string', unconfirmed: 'format "<QueryString> (<Characteristic>)" UNCONFIRMED' },
    { name: 'Guid', type: 'guid', unconfirmed: FROM_DOCS },
    { name: 'QueryString', type: 'string' },
    { name: 'Characteristic', type: 'enum', values: DeviceAccessCharacteristic.values },
    { name: 'AccessLevel', type: 'enum', values: DeviceAccessLevel.values },
    { name: 'WhenCreated', type: 'dateTime', unconfirmed: FROM_DOCS },
    { name: 'WhenChanged', type: 'dateTime', unconfirmed: FROM_DOCS },
  ],
});

export const OrganizationConfigOutput = defineOutput({
  name: 'OrganizationConfig',
  fields: [
    // The reference only says Get-OrganizationConfig "returns one object" (§4.8).
    { name: 'Identity', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'Name', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'DisplayName', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'Guid', type: 'guid', unconfirmed: FROM_DOCS },
    { name: 'OrganizationId', type: 'string', unconfirmed: FROM_DOCS },
    { name: 'IsDehydrated', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'OAuth2ClientProfileEnabled', type: 'bool', unconfirmed: FROM_DOCS },
    { name: 'WhenChanged', type: 'dateTime', unconfirmed: FROM_DOCS },
  ],
});

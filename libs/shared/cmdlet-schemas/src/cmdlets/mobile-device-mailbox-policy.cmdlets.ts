import { defineCmdlet } from '../schema/cmdlet-definition';
import {
  BluetoothType,
  CalendarAgeFilterType,
  EmailAgeFilterType,
  EncryptionSmimeAlgorithm,
  SignedSmimeAlgorithm,
  SmimeEncryptionAlgorithmNegotiation,
} from '../schema/enums';
import { MobileDeviceMailboxPolicyOutput } from '../schema/output-types';
import { CONFIRM, WHAT_IF } from './common-parameters';

const DOCS = 'public cmdlet docs, not the reference';

/** Settings shared by New- and Set-MobileDeviceMailboxPolicy (reference §4.5 plus the cmdlet page). */
const POLICY_SETTINGS = [
  { name: 'IsDefault', type: { kind: 'bool' }, description: 'Only one policy is the default.' },
  { name: 'PasswordEnabled', type: { kind: 'bool' } },
  { name: 'AlphanumericPasswordRequired', type: { kind: 'bool' } },
  { name: 'AllowSimplePassword', type: { kind: 'bool' } },
  { name: 'MinPasswordLength', type: { kind: 'int', min: 1, max: 16 }, nullable: true },
  { name: 'MinPasswordComplexCharacters', type: { kind: 'int', min: 1, max: 4 }, unconfirmed: 'range' },
  { name: 'MaxPasswordFailedAttempts', type: { kind: 'int', min: 4, max: 16, allowUnlimited: true } },
  { name: 'MaxInactivityTimeLock', type: { kind: 'timeSpan', allowUnlimited: true } },
  { name: 'PasswordExpiration', type: { kind: 'timeSpan', allowUnlimited: true } },
  { name: 'PasswordHistory', type: { kind: 'int', min: 0, max: 50 } },
  { name: 'PasswordRecoveryEnabled', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'DeviceEncryptionEnabled', type: { kind: 'bool' } },
  { name: 'RequireDeviceEncryption', type: { kind: 'bool' } },
  { name: 'RequireStorageCardEncryption', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowNonProvisionableDevices', type: { kind: 'bool' } },
  { name: 'DevicePolicyRefreshInterval', type: { kind: 'timeSpan', allowUnlimited: true } },
  { name: 'MaxAttachmentSize', type: { kind: 'byteQuantifiedSize' } },
  { name: 'AttachmentsEnabled', type: { kind: 'bool' } },
  { name: 'AllowCamera', type: { kind: 'bool' } },
  { name: 'AllowBluetooth', type: { kind: 'enum', enum: BluetoothType }, unconfirmed: DOCS },
  { name: 'AllowBrowser', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowWiFi', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowStorageCard', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowHTMLEmail', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowTextMessaging', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowPOPIMAPEmail', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowInternetSharing', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowIrDA', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowRemoteDesktop', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowDesktopSync', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowConsumerEmail', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowUnsignedApplications', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowUnsignedInstallationPackages', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowExternalDeviceManagement', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowApplePushNotifications', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'AllowSMIMESoftCerts', type: { kind: 'bool' }, unconfirmed: DOCS },
  {
    name: 'AllowSMIMEEncryptionAlgorithmNegotiation',
    type: { kind: 'enum', enum: SmimeEncryptionAlgorithmNegotiation },
    unconfirmed: DOCS,
  },
  { name: 'RequireSignedSMIMEMessages', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'RequireEncryptedSMIMEMessages', type: { kind: 'bool' }, unconfirmed: DOCS },
  {
    name: 'RequireSignedSMIMEAlgorithm',
    type: { kind: 'enum', enum: SignedSmimeAlgorithm },
    unconfirmed: DOCS,
  },
  {
    name: 'RequireEncryptionSMIMEAlgorithm',
    type: { kind: 'enum', enum: EncryptionSmimeAlgorithm },
    unconfirmed: DOCS,
  },
  { name: 'RequireManualSyncWhenRoaming', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'MaxCalendarAgeFilter', type: { kind: 'enum', enum: CalendarAgeFilterType }, unconfirmed: DOCS },
  { name: 'MaxEmailAgeFilter', type: { kind: 'enum', enum: EmailAgeFilterType }, unconfirmed: DOCS },
  {
    name: 'MaxEmailBodyTruncationSize',
    type: { kind: 'int', min: 0, allowUnlimited: true },
    unconfirmed: DOCS,
  },
  {
    name: 'MaxEmailHTMLBodyTruncationSize',
    type: { kind: 'int', min: 0, allowUnlimited: true },
    unconfirmed: DOCS,
  },
  { name: 'IrmEnabled', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'UNCAccessEnabled', type: { kind: 'bool' }, unconfirmed: DOCS },
  { name: 'WSSAccessEnabled', type: { kind: 'bool' }, unconfirmed: DOCS },
  {
    name: 'ApprovedApplicationList',
    type: { kind: 'stringList', addRemove: true },
    nullable: true,
    unconfirmed: DOCS,
  },
  {
    name: 'UnapprovedInROMApplicationList',
    type: { kind: 'stringList', addRemove: true },
    nullable: true,
    unconfirmed: DOCS,
  },
] as const;

export const GetMobileDeviceMailboxPolicy = defineCmdlet({
  name: 'Get-MobileDeviceMailboxPolicy',
  noun: 'MobileDeviceMailboxPolicy',
  access: 'read',
  parameters: [{ name: 'Identity', type: { kind: 'identity', of: 'MobileDeviceMailboxPolicy' } }],
  managementRoles: ['Organization Client Access', 'View-Only Configuration'],
  output: MobileDeviceMailboxPolicyOutput,
});

export const NewMobileDeviceMailboxPolicy = defineCmdlet({
  name: 'New-MobileDeviceMailboxPolicy',
  noun: 'MobileDeviceMailboxPolicy',
  access: 'write',
  parameters: [
    { name: 'Name', type: { kind: 'string', maxLength: 64 }, required: true },
    ...POLICY_SETTINGS,
    CONFIRM,
    WHAT_IF,
  ],
  managementRoles: ['Organization Client Access'],
  // The real cmdlet returns the new policy (public docs); UNCONFIRMED over REST.
  output: MobileDeviceMailboxPolicyOutput,
});

export const SetMobileDeviceMailboxPolicy = defineCmdlet({
  name: 'Set-MobileDeviceMailboxPolicy',
  noun: 'MobileDeviceMailboxPolicy',
  access: 'write',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'MobileDeviceMailboxPolicy' }, required: true },
    { name: 'Name', type: { kind: 'string', maxLength: 64 }, description: 'Renames the policy.' },
    ...POLICY_SETTINGS,
    CONFIRM,
    WHAT_IF,
  ],
  managementRoles: ['Organization Client Access'],
  output: null,
});

export const RemoveMobileDeviceMailboxPolicy = defineCmdlet({
  name: 'Remove-MobileDeviceMailboxPolicy',
  noun: 'MobileDeviceMailboxPolicy',
  access: 'write',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'MobileDeviceMailboxPolicy' }, required: true },
    CONFIRM,
    WHAT_IF,
  ],
  managementRoles: ['Organization Client Access'],
  output: null,
  notes: 'Fails while any mailbox is assigned the policy (reference §4.5).',
});

import { defineCmdlet } from '../schema/cmdlet-definition';
import { RecipientTypeDetails } from '../schema/enums';
import { CasMailboxOutput, MailboxOutput } from '../schema/output-types';
import {
  CONFIRM,
  DEFAULT_RESULT_SIZE,
  FILTER,
  ORGANIZATIONAL_UNIT,
  RESULT_SIZE,
  SORT_BY,
  WHAT_IF,
} from './common-parameters';

// Filterable recipient properties easgate uses; the full list is on "filter-properties" (public docs).
const RECIPIENT_FILTERABLE = [
  'Alias',
  'DisplayName',
  'DistinguishedName',
  'EmailAddresses',
  'ExternalDirectoryObjectId',
  'Guid',
  'Name',
  'PrimarySmtpAddress',
  'RecipientType',
  'RecipientTypeDetails',
  'UserPrincipalName',
  'MemberOfGroup',
] as const;

export const GetMailbox = defineCmdlet({
  name: 'Get-Mailbox',
  noun: 'Mailbox',
  access: 'read',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'Mailbox' } },
    { name: 'Anr', type: { kind: 'string' } },
    FILTER,
    RESULT_SIZE,
    SORT_BY,
    { name: 'RecipientTypeDetails', type: { kind: 'enumList', enum: RecipientTypeDetails } },
    ORGANIZATIONAL_UNIT,
    { name: 'Archive', type: { kind: 'switch' } },
    { name: 'SoftDeletedMailbox', type: { kind: 'switch' } },
    { name: 'InactiveMailboxOnly', type: { kind: 'switch' } },
    { name: 'IncludeInactiveMailbox', type: { kind: 'switch' } },
    { name: 'GroupMailbox', type: { kind: 'switch' } },
    { name: 'PublicFolder', type: { kind: 'switch' } },
  ],
  mutuallyExclusive: [['Identity', 'Anr']],
  managementRoles: ['Mail Recipients', 'View-Only Recipients'],
  output: MailboxOutput,
  filterableProperties: RECIPIENT_FILTERABLE,
  defaultResultSize: DEFAULT_RESULT_SIZE,
});

export const GetCasMailbox = defineCmdlet({
  name: 'Get-CASMailbox',
  noun: 'CASMailbox',
  access: 'read',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'Mailbox' } },
    { name: 'Anr', type: { kind: 'string' } },
    FILTER,
    RESULT_SIZE,
    SORT_BY,
    { name: 'ProtocolSettings', type: { kind: 'switch' } },
    { name: 'ActiveSyncDebugLogging', type: { kind: 'switch' } },
    { name: 'RecalculateHasActiveSyncDevicePartnership', type: { kind: 'switch' } },
    { name: 'RecipientTypeDetails', type: { kind: 'enumList', enum: RecipientTypeDetails } },
    ORGANIZATIONAL_UNIT,
  ],
  mutuallyExclusive: [['Identity', 'Anr']],
  managementRoles: ['Mail Recipients', 'View-Only Recipients'],
  output: CasMailboxOutput,
  filterableProperties: [
    ...RECIPIENT_FILTERABLE,
    'ActiveSyncEnabled',
    'HasActiveSyncDevicePartnership',
    'ActiveSyncMailboxPolicy',
    // Filter name of ActiveSyncAllowedDeviceIDs (reference §4.3); the blocked list's LDAP name is a guess.
    'msExchMobileAllowedDeviceIds',
    'msExchMobileBlockedDeviceIds',
  ],
  defaultResultSize: DEFAULT_RESULT_SIZE,
});

export const SetCasMailbox = defineCmdlet({
  name: 'Set-CASMailbox',
  noun: 'CASMailbox',
  access: 'write',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'Mailbox' }, required: true },
    { name: 'ActiveSyncEnabled', type: { kind: 'bool' } },
    {
      name: 'ActiveSyncAllowedDeviceIDs',
      type: { kind: 'stringList', addRemove: true },
      nullable: true,
      description: 'Replace (array), Add/Remove (GenericHashTable), clear (null).',
    },
    {
      name: 'ActiveSyncBlockedDeviceIDs',
      type: { kind: 'stringList', addRemove: true },
      nullable: true,
      description: 'Replace (array), Add/Remove (GenericHashTable), clear (null).',
    },
    {
      name: 'ActiveSyncMailboxPolicy',
      type: { kind: 'identity', of: 'MobileDeviceMailboxPolicy' },
      nullable: true,
      description: 'null resets to the default policy and sets ActiveSyncMailboxPolicyIsDefaulted.',
    },
    { name: 'ActiveSyncDebugLogging', type: { kind: 'bool' } },
    { name: 'ActiveSyncSuppressReadReceipt', type: { kind: 'bool' } },
    { name: 'OWAEnabled', type: { kind: 'bool' }, unconfirmed: 'public cmdlet docs' },
    { name: 'OWAforDevicesEnabled', type: { kind: 'bool' }, unconfirmed: 'public cmdlet docs' },
    { name: 'EwsEnabled', type: { kind: 'bool' }, unconfirmed: 'public cmdlet docs' },
    { name: 'PopEnabled', type: { kind: 'bool' }, unconfirmed: 'public cmdlet docs' },
    { name: 'ImapEnabled', type: { kind: 'bool' }, unconfirmed: 'public cmdlet docs' },
    { name: 'MAPIEnabled', type: { kind: 'bool' }, unconfirmed: 'public cmdlet docs' },
    CONFIRM,
    WHAT_IF,
  ],
  // Some layouts also grant it through Organization Client Access (reference §5).
  managementRoles: ['Mail Recipients', 'Organization Client Access'],
  output: null,
});

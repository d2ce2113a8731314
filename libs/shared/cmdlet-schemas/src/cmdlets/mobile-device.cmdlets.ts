import { defineCmdlet } from '../schema/cmdlet-definition';
import { MobileDeviceOutput, MobileDeviceStatisticsOutput } from '../schema/output-types';
import {
  CONFIRM,
  DEFAULT_RESULT_SIZE,
  FILTER,
  ORGANIZATIONAL_UNIT,
  RESULT_SIZE,
  SORT_BY,
  WHAT_IF,
} from './common-parameters';

const CLIENT_SWITCHES = [
  { name: 'ActiveSync', type: { kind: 'switch' } },
  { name: 'OWAforDevices', type: { kind: 'switch' } },
  { name: 'RestApi', type: { kind: 'switch' } },
  { name: 'UniversalOutlook', type: { kind: 'switch' } },
] as const;

/** Filterable Get-MobileDevice properties (reference §4.1). */
export const MOBILE_DEVICE_FILTERABLE_PROPERTIES = [
  'ClientType',
  'DeviceAccessControlRule',
  'DeviceAccessState',
  'DeviceAccessStateReason',
  'DeviceActiveSyncVersion',
  'DeviceId',
  'DeviceImei',
  'DeviceMobileOperator',
  'DeviceModel',
  'DeviceOS',
  'DeviceOSLanguage',
  'DeviceTelephoneNumber',
  'DeviceType',
  'DeviceUserAgent',
  'FirstSyncTime',
  'FriendlyName',
  'ProvisioningFlags',
  'UserDisplayName',
] as const;

export const GetMobileDevice = defineCmdlet({
  name: 'Get-MobileDevice',
  noun: 'MobileDevice',
  access: 'read',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'MobileDevice' } },
    { name: 'Mailbox', type: { kind: 'identity', of: 'Mailbox' } },
    ...CLIENT_SWITCHES,
    { name: 'Monitoring', type: { kind: 'switch' } },
    FILTER,
    RESULT_SIZE,
    SORT_BY,
    ORGANIZATIONAL_UNIT,
  ],
  mutuallyExclusive: [['Identity', 'Mailbox']],
  managementRoles: ['Mail Recipients', 'View-Only Recipients'],
  output: MobileDeviceOutput,
  filterableProperties: MOBILE_DEVICE_FILTERABLE_PROPERTIES,
  defaultResultSize: DEFAULT_RESULT_SIZE,
  notes: 'A null or unknown Identity on Get cmdlets returns all objects: validate before bulk removes.',
});

export const GetMobileDeviceStatistics = defineCmdlet({
  name: 'Get-MobileDeviceStatistics',
  noun: 'MobileDeviceStatistics',
  access: 'read',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'MobileDevice' } },
    { name: 'Mailbox', type: { kind: 'identity', of: 'Mailbox' } },
    ...CLIENT_SWITCHES,
    { name: 'GetMailboxLog', type: { kind: 'switch' } },
    { name: 'NotificationEmailAddresses', type: { kind: 'stringList', addRemove: false } },
    { name: 'ShowRecoveryPassword', type: { kind: 'switch' }, unconfirmed: 'switch or bool' },
    { name: 'UseCustomRouting', type: { kind: 'switch' } },
  ],
  mutuallyExclusive: [['Identity', 'Mailbox']],
  requireOneOf: ['Identity', 'Mailbox'],
  managementRoles: ['Mail Recipients', 'View-Only Recipients'],
  output: MobileDeviceStatisticsOutput,
});

export const ClearMobileDevice = defineCmdlet({
  name: 'Clear-MobileDevice',
  noun: 'MobileDevice',
  access: 'write',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'MobileDevice' }, required: true },
    {
      name: 'AccountOnly',
      type: { kind: 'switch' },
      description: 'Wipe only Exchange data; the only wipe type for DeviceType Outlook.',
    },
    { name: 'Cancel', type: { kind: 'switch' }, description: 'Cancel a pending wipe.' },
    { name: 'NotificationEmailAddresses', type: { kind: 'stringList', addRemove: false } },
    CONFIRM,
    WHAT_IF,
  ],
  // Cancel is its own parameter set in the public docs; UNCONFIRMED whether the server enforces it.
  mutuallyExclusive: [['Cancel', 'AccountOnly']],
  managementRoles: ['Mail Recipients'],
  output: null,
});

export const RemoveMobileDevice = defineCmdlet({
  name: 'Remove-MobileDevice',
  noun: 'MobileDevice',
  access: 'write',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'MobileDevice' }, required: true },
    CONFIRM,
    WHAT_IF,
  ],
  managementRoles: ['Mail Recipients'],
  output: null,
});

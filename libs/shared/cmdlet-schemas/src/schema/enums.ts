import { defineEnum } from './cmdlet-definition';

/** Values of DeviceAccessLevel (`-DefaultAccessLevel`, `-AccessLevel`). Reference §4.6. */
export const DeviceAccessLevel = defineEnum({
  // .NET type name: UNCONFIRMED (from the Exchange Server object model).
  dotNetType: 'Microsoft.Exchange.Data.Directory.SystemConfiguration.DeviceAccessLevel',
  values: ['Allow', 'Block', 'Quarantine'],
});

/** Values of `-Characteristic` on device access rules. Reference §4.6. */
export const DeviceAccessCharacteristic = defineEnum({
  dotNetType: 'Microsoft.Exchange.Data.Directory.SystemConfiguration.DeviceAccessCharacteristic',
  values: ['DeviceModel', 'DeviceType', 'DeviceOS', 'UserAgent', 'XMSWLHeader'],
});

/** DeviceAccessState output values. `Unknown` is UNCONFIRMED (reference §4.1). */
export const DEVICE_ACCESS_STATES = [
  'Allowed',
  'Blocked',
  'Quarantined',
  'DeviceDiscovery',
  'Unknown',
] as const;
export type DeviceAccessState = (typeof DEVICE_ACCESS_STATES)[number];

/**
 * DeviceAccessStateReason output values. Global, DeviceRule, Individual, Policy, Upgrade are in the
 * reference (§4.1); the others are UNCONFIRMED.
 */
export const DEVICE_ACCESS_STATE_REASONS = [
  'Global',
  'DeviceRule',
  'Individual',
  'Policy',
  'Upgrade',
  'Unknown',
  'OutOfBudgets',
  'Compliance',
  'ExternallyManaged',
] as const;
export type DeviceAccessStateReason = (typeof DEVICE_ACCESS_STATE_REASONS)[number];

/** ClientType output values: EAS and Outlook seen; the rest UNCONFIRMED. */
export const MOBILE_CLIENT_TYPES = ['EAS', 'Outlook', 'MOWA', 'REST', 'UniversalOutlook'] as const;

/** RecipientTypeDetails values accepted by `Get-Mailbox -RecipientTypeDetails` (public cmdlet docs). */
export const RecipientTypeDetails = defineEnum({
  dotNetType: 'Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails',
  values: [
    'DiscoveryMailbox',
    'EquipmentMailbox',
    'GroupMailbox',
    'LegacyMailbox',
    'LinkedMailbox',
    'LinkedRoomMailbox',
    'RoomMailbox',
    'SchedulingMailbox',
    'SharedMailbox',
    'TeamMailbox',
    'UserMailbox',
  ],
});

/** `-AllowBluetooth` on mobile device mailbox policies (public cmdlet docs). */
export const BluetoothType = defineEnum({
  dotNetType: 'Microsoft.Exchange.Data.Directory.SystemConfiguration.BluetoothType',
  values: ['Disable', 'HandsfreeOnly', 'Allow'],
});

/** `-MaxCalendarAgeFilter` (public cmdlet docs). */
export const CalendarAgeFilterType = defineEnum({
  dotNetType: 'Microsoft.Exchange.Data.Directory.SystemConfiguration.CalendarAgeFilterType',
  values: ['All', 'TwoWeeks', 'OneMonth', 'ThreeMonths', 'SixMonths'],
});

/** `-MaxEmailAgeFilter` (public cmdlet docs). */
export const EmailAgeFilterType = defineEnum({
  dotNetType: 'Microsoft.Exchange.Data.Directory.SystemConfiguration.EmailAgeFilterType',
  values: ['All', 'OneDay', 'ThreeDays', 'OneWeek', 'TwoWeeks', 'OneMonth'],
});

/** `-AllowSMIMEEncryptionAlgorithmNegotiation` (public cmdlet docs). */
export const SmimeEncryptionAlgorithmNegotiation = defineEnum({
  dotNetType: 'Microsoft.Exchange.Data.Directory.SystemConfiguration.SMIMEEncryptionAlgorithmNegotiationType',
  values: ['BlockNegotiation', 'OnlyStrongAlgorithmNegotiation', 'AllowAnyAlgorithmNegotiation'],
});

/** `-RequireSignedSMIMEAlgorithm` (public cmdlet docs). */
export const SignedSmimeAlgorithm = defineEnum({
  dotNetType: 'Microsoft.Exchange.Data.Directory.SystemConfiguration.SignedSMIMEAlgorithmType',
  values: ['SHA1', 'MD5'],
});

/** `-RequireEncryptionSMIMEAlgorithm` (public cmdlet docs). */
export const EncryptionSmimeAlgorithm = defineEnum({
  dotNetType: 'Microsoft.Exchange.Data.Directory.SystemConfiguration.EncryptionSMIMEAlgorithmType',
  values: ['TripleDES', 'DES', 'RC2128bit', 'RC264bit', 'RC240bit'],
});

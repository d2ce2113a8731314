import { defineCmdlet } from '../schema/cmdlet-definition';
import { DeviceAccessCharacteristic, DeviceAccessLevel } from '../schema/enums';
import {
  ActiveSyncDeviceAccessRuleOutput,
  ActiveSyncOrganizationSettingsOutput,
  OrganizationConfigOutput,
} from '../schema/output-types';
import { CONFIRM, WHAT_IF } from './common-parameters';

export const GetActiveSyncOrganizationSettings = defineCmdlet({
  name: 'Get-ActiveSyncOrganizationSettings',
  noun: 'ActiveSyncOrganizationSettings',
  access: 'read',
  parameters: [{ name: 'Identity', type: { kind: 'identity', of: 'ActiveSyncOrganizationSettings' } }],
  managementRoles: ['Organization Client Access', 'View-Only Configuration'],
  output: ActiveSyncOrganizationSettingsOutput,
  notes: 'Returns the singleton.',
});

export const SetActiveSyncOrganizationSettings = defineCmdlet({
  name: 'Set-ActiveSyncOrganizationSettings',
  noun: 'ActiveSyncOrganizationSettings',
  access: 'write',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'ActiveSyncOrganizationSettings' } },
    {
      name: 'DefaultAccessLevel',
      type: { kind: 'enum', enum: DeviceAccessLevel },
      description: 'Changing it re-evaluates devices not covered by rules or personal lists.',
    },
    { name: 'AdminMailRecipients', type: { kind: 'stringList', addRemove: true }, nullable: true },
    { name: 'UserMailInsert', type: { kind: 'string', maxLength: 256 }, nullable: true },
    { name: 'OtaNotificationMailInsert', type: { kind: 'string', maxLength: 256 }, nullable: true },
    { name: 'AllowAccessForUnSupportedPlatform', type: { kind: 'bool' } },
    { name: 'EnableMobileMailboxPolicyWhenCAInplace', type: { kind: 'bool' }, unconfirmed: 'type' },
    { name: 'TenantAdminPreference', type: { kind: 'string' }, unconfirmed: 'type and values' },
    CONFIRM,
    WHAT_IF,
  ],
  managementRoles: ['Organization Client Access'],
  output: null,
});

export const GetActiveSyncDeviceAccessRule = defineCmdlet({
  name: 'Get-ActiveSyncDeviceAccessRule',
  noun: 'ActiveSyncDeviceAccessRule',
  access: 'read',
  parameters: [{ name: 'Identity', type: { kind: 'identity', of: 'ActiveSyncDeviceAccessRule' } }],
  managementRoles: ['Organization Client Access', 'View-Only Configuration'],
  output: ActiveSyncDeviceAccessRuleOutput,
});

export const NewActiveSyncDeviceAccessRule = defineCmdlet({
  name: 'New-ActiveSyncDeviceAccessRule',
  noun: 'ActiveSyncDeviceAccessRule',
  access: 'write',
  parameters: [
    {
      name: 'QueryString',
      type: { kind: 'string' },
      required: true,
      description: 'Exact value; no wildcards or partial matches.',
    },
    { name: 'Characteristic', type: { kind: 'enum', enum: DeviceAccessCharacteristic }, required: true },
    { name: 'AccessLevel', type: { kind: 'enum', enum: DeviceAccessLevel }, required: true },
    CONFIRM,
    WHAT_IF,
  ],
  managementRoles: ['Organization Client Access'],
  // The real cmdlet returns the new rule (public docs); UNCONFIRMED over REST.
  output: ActiveSyncDeviceAccessRuleOutput,
});

export const SetActiveSyncDeviceAccessRule = defineCmdlet({
  name: 'Set-ActiveSyncDeviceAccessRule',
  noun: 'ActiveSyncDeviceAccessRule',
  access: 'write',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'ActiveSyncDeviceAccessRule' }, required: true },
    { name: 'AccessLevel', type: { kind: 'enum', enum: DeviceAccessLevel } },
    CONFIRM,
    WHAT_IF,
  ],
  managementRoles: ['Organization Client Access'],
  output: null,
});

export const RemoveActiveSyncDeviceAccessRule = defineCmdlet({
  name: 'Remove-ActiveSyncDeviceAccessRule',
  noun: 'ActiveSyncDeviceAccessRule',
  access: 'write',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'ActiveSyncDeviceAccessRule' }, required: true },
    CONFIRM,
    WHAT_IF,
  ],
  managementRoles: ['Organization Client Access'],
  output: null,
});

export const GetOrganizationConfig = defineCmdlet({
  name: 'Get-OrganizationConfig',
  noun: 'OrganizationConfig',
  access: 'read',
  parameters: [
    { name: 'Identity', type: { kind: 'identity', of: 'Organization' }, unconfirmed: 'on-premises docs' },
  ],
  managementRoles: ['View-Only Configuration', 'Organization Configuration'],
  output: OrganizationConfigOutput,
  notes: 'No required parameters; returns one object.',
});

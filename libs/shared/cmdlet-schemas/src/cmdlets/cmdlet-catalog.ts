import type { CmdletDefinition } from '../schema/cmdlet-definition';
import {
  GetActiveSyncDeviceAccessRule,
  GetActiveSyncOrganizationSettings,
  GetOrganizationConfig,
  NewActiveSyncDeviceAccessRule,
  RemoveActiveSyncDeviceAccessRule,
  SetActiveSyncDeviceAccessRule,
  SetActiveSyncOrganizationSettings,
} from './activesync-organization.cmdlets';
import { GetCasMailbox, GetMailbox, SetCasMailbox } from './mailbox.cmdlets';
import {
  GetMobileDeviceMailboxPolicy,
  NewMobileDeviceMailboxPolicy,
  RemoveMobileDeviceMailboxPolicy,
  SetMobileDeviceMailboxPolicy,
} from './mobile-device-mailbox-policy.cmdlets';
import {
  ClearMobileDevice,
  GetMobileDevice,
  GetMobileDeviceStatistics,
  RemoveMobileDevice,
} from './mobile-device.cmdlets';

/** Every cmdlet easgate runs, by its canonical name. */
export const CMDLETS = {
  'Get-Mailbox': GetMailbox,
  'Get-CASMailbox': GetCasMailbox,
  'Set-CASMailbox': SetCasMailbox,
  'Get-MobileDevice': GetMobileDevice,
  'Get-MobileDeviceStatistics': GetMobileDeviceStatistics,
  'Clear-MobileDevice': ClearMobileDevice,
  'Remove-MobileDevice': RemoveMobileDevice,
  'Get-MobileDeviceMailboxPolicy': GetMobileDeviceMailboxPolicy,
  'New-MobileDeviceMailboxPolicy': NewMobileDeviceMailboxPolicy,
  'Set-MobileDeviceMailboxPolicy': SetMobileDeviceMailboxPolicy,
  'Remove-MobileDeviceMailboxPolicy': RemoveMobileDeviceMailboxPolicy,
  'Get-ActiveSyncOrganizationSettings': GetActiveSyncOrganizationSettings,
  'Set-ActiveSyncOrganizationSettings': SetActiveSyncOrganizationSettings,
  'Get-ActiveSyncDeviceAccessRule': GetActiveSyncDeviceAccessRule,
  'New-ActiveSyncDeviceAccessRule': NewActiveSyncDeviceAccessRule,
  'Set-ActiveSyncDeviceAccessRule': SetActiveSyncDeviceAccessRule,
  'Remove-ActiveSyncDeviceAccessRule': RemoveActiveSyncDeviceAccessRule,
  'Get-OrganizationConfig': GetOrganizationConfig,
} as const satisfies Record<string, CmdletDefinition>;

export type CmdletName = keyof typeof CMDLETS;

export const CMDLET_NAMES = Object.keys(CMDLETS) as CmdletName[];

const BY_LOWER_NAME = new Map<string, CmdletName>(CMDLET_NAMES.map((name) => [name.toLowerCase(), name]));

/** Canonical cmdlet name for any casing (`get-casmailbox` → `Get-CASMailbox`), or undefined. */
export function canonicalCmdletName(name: string): CmdletName | undefined {
  return BY_LOWER_NAME.get(name.trim().toLowerCase());
}

export function isCmdletName(name: string): name is CmdletName {
  return Object.prototype.hasOwnProperty.call(CMDLETS, name);
}

export function getCmdletDefinition(name: string): CmdletDefinition | undefined {
  const canonical = canonicalCmdletName(name);
  return canonical === undefined ? undefined : CMDLETS[canonical];
}

/** Case-insensitive lookup of a parameter definition. */
export function findParameter(cmdlet: CmdletDefinition, name: string) {
  const lower = name.toLowerCase();
  return cmdlet.parameters.find((parameter) => parameter.name.toLowerCase() === lower);
}

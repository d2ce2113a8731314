import { CMDLET_NAMES } from '../cmdlets/cmdlet-catalog';
import {
  DirectoryRoleTemplateIds,
  isCmdletAllowed,
  managementRolesForDirectoryRoleIds,
  notAllowedToCallMessage,
} from './cmdlet-authorization';

describe(isCmdletAllowed.name, () => {
  const sut = isCmdletAllowed;

  it('lets an Exchange Administrator run every cmdlet', () => {
    const roles = managementRolesForDirectoryRoleIds([DirectoryRoleTemplateIds.exchangeAdministrator]);

    expect(CMDLET_NAMES.every((name) => sut(name, roles))).toBe(true);
  });

  it('lets a Global Reader read but not change anything', () => {
    const roles = managementRolesForDirectoryRoleIds([DirectoryRoleTemplateIds.globalReader.toUpperCase()]);

    expect(sut('Get-MobileDevice', roles)).toBe(true);
    expect(sut('get-activesyncdeviceaccessrule', roles)).toBe(true);
    expect(sut('Set-CASMailbox', roles)).toBe(false);
    expect(sut('Clear-MobileDevice', roles)).toBe(false);
  });

  it('lets a Compliance Administrator read the organization configuration only', () => {
    const roles = managementRolesForDirectoryRoleIds([DirectoryRoleTemplateIds.complianceAdministrator]);

    expect(sut('Get-ActiveSyncOrganizationSettings', roles)).toBe(true);
    expect(sut('Get-MobileDevice', roles)).toBe(false);
  });

  it('refuses everything without roles and unknown cmdlets always', () => {
    expect(
      sut('Get-Mailbox', managementRolesForDirectoryRoleIds(['00000000-0000-0000-0000-000000000000'])),
    ).toBe(false);
    expect(sut('Get-Foo', ['Mail Recipients'])).toBe(false);
  });
});

describe(notAllowedToCallMessage.name, () => {
  it('words the refusal like the admin API, with the canonical cmdlet name', () => {
    expect(notAllowedToCallMessage('get-mailbox')).toBe('User is not allowed to call Get-Mailbox');
  });
});

import { buildInvokeCommandBody } from '../binding/invoke-command-body';
import {
  CMDLETS,
  CMDLET_NAMES,
  canonicalCmdletName,
  findParameter,
  getCmdletDefinition,
} from './cmdlet-catalog';

describe('CMDLETS', () => {
  it('lists every cmdlet easgate runs', () => {
    expect([...CMDLET_NAMES].sort()).toEqual(
      [
        'Get-Mailbox',
        'Get-CASMailbox',
        'Set-CASMailbox',
        'Get-MobileDevice',
        'Get-MobileDeviceStatistics',
        'Clear-MobileDevice',
        'Remove-MobileDevice',
        'Get-MobileDeviceMailboxPolicy',
        'New-MobileDeviceMailboxPolicy',
        'Set-MobileDeviceMailboxPolicy',
        'Remove-MobileDeviceMailboxPolicy',
        'Get-ActiveSyncOrganizationSettings',
        'Set-ActiveSyncOrganizationSettings',
        'Get-ActiveSyncDeviceAccessRule',
        'New-ActiveSyncDeviceAccessRule',
        'Set-ActiveSyncDeviceAccessRule',
        'Remove-ActiveSyncDeviceAccessRule',
        'Get-OrganizationConfig',
      ].sort(),
    );
  });

  it.each(CMDLET_NAMES)(
    '%s is consistent: key = name, unique parameters, sets name real parameters',
    (name) => {
      const sut = CMDLETS[name];
      const names = sut.parameters.map((p) => p.name.toLowerCase());
      const referenced = [
        ...('mutuallyExclusive' in sut ? sut.mutuallyExclusive.flat() : []),
        ...('requireOneOf' in sut ? sut.requireOneOf : []),
      ];

      expect(sut.name).toBe(name);
      expect(new Set(names).size).toBe(names.length);
      referenced.forEach((parameter) => expect(findParameter(sut, parameter)).toBeDefined());
      expect(sut.managementRoles.length).toBeGreaterThan(0);
      expect(sut.access).toBe(name.startsWith('Get-') ? 'read' : 'write');
    },
  );

  it('marks the multi-valued CAS parameters as supporting Add/Remove and clearing', () => {
    const sut = CMDLETS['Set-CASMailbox'];

    for (const name of ['ActiveSyncAllowedDeviceIDs', 'ActiveSyncBlockedDeviceIDs']) {
      expect(findParameter(sut, name)).toMatchObject({
        type: { kind: 'stringList', addRemove: true },
        nullable: true,
      });
    }
  });

  it('describes the MobileDevice and CASMailbox output fields the reference lists', () => {
    const device = CMDLETS['Get-MobileDevice'].output.fields.map((f) => f.name);
    const cas = CMDLETS['Get-CASMailbox'].output.fields.map((f) => f.name);

    expect(device).toEqual(
      expect.arrayContaining([
        'Identity',
        'DeviceId',
        'DeviceType',
        'DeviceModel',
        'DeviceOS',
        'DeviceUserAgent',
        'DeviceAccessState',
        'DeviceAccessStateReason',
        'DeviceAccessControlRule',
        'FirstSyncTime',
        'UserDisplayName',
        'Guid',
      ]),
    );
    expect(cas).toEqual(
      expect.arrayContaining([
        'ActiveSyncEnabled',
        'ActiveSyncAllowedDeviceIDs',
        'ActiveSyncBlockedDeviceIDs',
        'ActiveSyncMailboxPolicy',
        'ActiveSyncMailboxPolicyIsDefaulted',
      ]),
    );
  });
});

describe(canonicalCmdletName.name, () => {
  it('canonicalises any casing and refuses unknown names', () => {
    expect(canonicalCmdletName('get-casmailbox')).toBe('Get-CASMailbox');
    expect(canonicalCmdletName('Get-Foo')).toBeUndefined();
    expect(getCmdletDefinition('GET-MOBILEDEVICE')?.name).toBe('Get-MobileDevice');
  });
});

describe('typed cmdlet input', () => {
  it('lets code build calls whose names and values the compiler checks', () => {
    const sut = buildInvokeCommandBody('Clear-MobileDevice', {
      Identity: 'u\\ExchangeActiveSyncDevices\\iPhone§A',
      AccountOnly: true,
      NotificationEmailAddresses: ['admin@contoso.com'],
    });
    const badEnum = buildInvokeCommandBody('Set-ActiveSyncDeviceAccessRule', {
      Identity: 'r',
      // @ts-expect-error -- 'Deny' is not an AccessLevel
      AccessLevel: 'Deny',
    });
    // @ts-expect-error -- Identity is mandatory
    const missing = buildInvokeCommandBody('Remove-MobileDevice', {});

    expect([sut.ok, badEnum.ok, missing.ok]).toEqual([true, false, false]);
  });
});

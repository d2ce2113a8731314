import { CmdletSchemaErrorCode, toAdminApiErrorDetail } from './cmdlet-schema-error';
import { bindServerParameters, effectiveResultSize, parseResultSize } from './parameter-binder';

const hashTable = (entries: Record<string, unknown>) => ({
  '@odata.type': '#Exchange.GenericHashTable',
  ...entries,
});

describe(bindServerParameters.name, () => {
  const sut = bindServerParameters;

  describe('names', () => {
    it('binds parameter names case-insensitively under their canonical casing', () => {
      const result = sut('get-mobiledevice', { mailbox: 'u@contoso.com', RESULTSIZE: 10 });

      expect(result.ok && result.value.name).toBe('Get-MobileDevice');
      expect(result.ok && result.value.parameters).toEqual({ Mailbox: 'u@contoso.com', ResultSize: 10 });
    });

    it('reports an unknown parameter with the PowerShell message and the AmbiguousParameterSetException type', () => {
      const result = sut('Set-CASMailbox', { Identity: 'u', ActiveSyncAllowedDevices: ['x'] });

      expect(!result.ok && result.errors[0]).toMatchObject({
        code: CmdletSchemaErrorCode.UnknownParameter,
        message: "A parameter cannot be found that matches parameter name 'ActiveSyncAllowedDevices'.",
        exceptionType: 'Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException',
        hint: expect.stringContaining('ActiveSyncAllowedDeviceIDs'),
      });
    });

    it('formats the admin API detail as <ErrorId>|<ExceptionType>|<text>', () => {
      const result = sut('Get-Mailbox', { Foo: 1 });

      expect(!result.ok && toAdminApiErrorDetail(result.errors[0])).toBe(
        "|Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException|A parameter cannot be found that matches parameter name 'Foo'.",
      );
    });

    it('refuses the same parameter twice in different casing', () => {
      const result = sut('Get-Mailbox', { Identity: 'a', identity: 'b' });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.DuplicateParameter);
    });

    it('refuses Parameters that is not an object', () => {
      const result = sut('Get-Mailbox', ['Identity']);

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.BadParametersObject);
    });
  });

  describe('enums', () => {
    it('accepts enum values in any case and returns the canonical casing', () => {
      const result = sut('New-ActiveSyncDeviceAccessRule', {
        QueryString: 'iPhone',
        characteristic: 'devicetype',
        AccessLevel: 'BLOCK',
      });

      expect(result.ok && result.value.parameters).toEqual({
        QueryString: 'iPhone',
        Characteristic: 'DeviceType',
        AccessLevel: 'Block',
      });
    });

    it('reports a bad enum value like a ParameterTransformationException listing the valid names', () => {
      const result = sut('Set-ActiveSyncOrganizationSettings', { DefaultAccessLevel: 'Deny' });

      expect(!result.ok && result.errors[0]).toMatchObject({
        code: CmdletSchemaErrorCode.BadEnumValue,
        parameter: 'DefaultAccessLevel',
        exceptionType: expect.stringContaining('ParameterTransformationException'),
        message: expect.stringContaining(
          'Unable to match the identifier name Deny to a valid enumerator name. Specify one of the following enumerator names and try again: Allow, Block, Quarantine',
        ),
      });
    });

    it('binds a multi-valued enum given as an array or comma-separated text', () => {
      const asArray = sut('Get-Mailbox', { RecipientTypeDetails: ['usermailbox', 'SharedMailbox'] });
      const asText = sut('Get-Mailbox', { RecipientTypeDetails: 'UserMailbox,sharedmailbox' });

      expect(asArray.ok && asArray.value.parameters['RecipientTypeDetails']).toEqual([
        'UserMailbox',
        'SharedMailbox',
      ]);
      expect(asText.ok && asText.value.parameters['RecipientTypeDetails']).toEqual([
        'UserMailbox',
        'SharedMailbox',
      ]);
    });
  });

  describe('multi-valued parameters', () => {
    it('binds a tagged GenericHashTable with Add and Remove in any key case as an update', () => {
      const result = sut('Set-CASMailbox', {
        Identity: 'u',
        ActiveSyncAllowedDeviceIDs: hashTable({ add: 'A1', REMOVE: ['B1', 'B2'] }),
      });

      expect(result.ok && result.value.parameters['ActiveSyncAllowedDeviceIDs']).toEqual({
        op: 'update',
        add: ['A1'],
        remove: ['B1', 'B2'],
      });
    });

    it('refuses an Add/Remove object without the GenericHashTable tag, as the real server does', () => {
      const result = sut('Set-CASMailbox', { Identity: 'u', ActiveSyncAllowedDeviceIDs: { Add: 'A1' } });

      expect(!result.ok && result.errors[0]).toMatchObject({
        code: CmdletSchemaErrorCode.BadType,
        hint: expect.stringContaining('#Exchange.GenericHashTable'),
      });
    });

    it('refuses a hashtable key other than Add and Remove', () => {
      const result = sut('Set-CASMailbox', {
        Identity: 'u',
        ActiveSyncAllowedDeviceIDs: hashTable({ Replace: 'x' }),
      });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.BadType);
    });

    it('refuses Add/Remove on a list that does not support it', () => {
      const result = sut('Clear-MobileDevice', {
        Identity: 'u\\ExchangeActiveSyncDevices\\iPhone§A',
        NotificationEmailAddresses: hashTable({ Add: 'a@x.com' }),
      });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.BadType);
    });

    it('binds a plain array as a replacement, a single string as a one-element replacement, and null as a clear', () => {
      const result = sut('Set-CASMailbox', {
        Identity: 'u',
        ActiveSyncAllowedDeviceIDs: ['A', 'B'],
        ActiveSyncBlockedDeviceIDs: null,
      });
      const single = sut('Set-CASMailbox', { Identity: 'u', ActiveSyncAllowedDeviceIDs: 'A' });

      expect(result.ok && result.value.parameters).toEqual({
        Identity: 'u',
        ActiveSyncAllowedDeviceIDs: { op: 'replace', values: ['A', 'B'] },
        ActiveSyncBlockedDeviceIDs: { op: 'clear' },
      });
      expect(single.ok && single.value.parameters['ActiveSyncAllowedDeviceIDs']).toEqual({
        op: 'replace',
        values: ['A'],
      });
    });

    it('binds null on a nullable scalar (ActiveSyncMailboxPolicy) as null', () => {
      const result = sut('Set-CASMailbox', { Identity: 'u', ActiveSyncMailboxPolicy: null });

      expect(result.ok && result.value.parameters['ActiveSyncMailboxPolicy']).toBeNull();
    });

    it('refuses null where the parameter cannot be cleared', () => {
      const result = sut('Remove-MobileDevice', { Identity: null });

      expect(!result.ok && result.errors[0]).toMatchObject({
        code: CmdletSchemaErrorCode.NullNotAllowed,
        message: "Cannot bind argument to parameter 'Identity' because it is null.",
      });
    });

    it('refuses an empty identity', () => {
      const result = sut('Remove-MobileDevice', { Identity: '' });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.NullNotAllowed);
    });
  });

  describe('switches and scalars', () => {
    it.each([true, 'true', 'True'])('accepts switch value %p as true', (value) => {
      const result = sut('Clear-MobileDevice', {
        Identity: 'x\\ExchangeActiveSyncDevices\\T§1',
        Cancel: value,
      });

      expect(result.ok && result.value.parameters['Cancel']).toBe(true);
    });

    it('refuses a switch given a non-boolean', () => {
      const result = sut('Clear-MobileDevice', { Identity: 'x', AccountOnly: 'yes' });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.BadType);
    });

    it('refuses an array for a single-valued string', () => {
      const result = sut('Get-Mailbox', { Identity: ['a', 'b'] });

      expect(!result.ok && result.errors[0]).toMatchObject({
        code: CmdletSchemaErrorCode.BadType,
        message: expect.stringContaining('"System.Object[]"'),
      });
    });

    it('refuses a non-boolean for a bool parameter', () => {
      const result = sut('Set-CASMailbox', { Identity: 'u', ActiveSyncEnabled: 'sometimes' });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.BadType);
    });

    it('enforces integer ranges with the ValidateRange wording', () => {
      const result = sut('Set-MobileDeviceMailboxPolicy', { Identity: 'Default', MinPasswordLength: 20 });

      expect(!result.ok && result.errors[0]).toMatchObject({
        code: CmdletSchemaErrorCode.OutOfRange,
        message:
          "Cannot validate argument on parameter 'MinPasswordLength'. The 20 argument is greater than the maximum allowed range of 16. Supply an argument that is less than or equal to 16 and then try the command again.",
      });
    });

    it('accepts Unlimited where the integer allows it', () => {
      const result = sut('Set-MobileDeviceMailboxPolicy', {
        Identity: 'Default',
        MaxPasswordFailedAttempts: 'unlimited',
      });

      expect(result.ok && result.value.parameters['MaxPasswordFailedAttempts']).toBe('Unlimited');
    });

    it('validates time spans', () => {
      const good = sut('Set-MobileDeviceMailboxPolicy', {
        Identity: 'Default',
        MaxInactivityTimeLock: '00:15:00',
      });
      const bad = sut('Set-MobileDeviceMailboxPolicy', {
        Identity: 'Default',
        MaxInactivityTimeLock: '15 minutes',
      });

      expect(good.ok).toBe(true);
      expect(!bad.ok && bad.errors[0].code).toBe(CmdletSchemaErrorCode.BadType);
    });

    it('enforces maximum string lengths', () => {
      const result = sut('Set-ActiveSyncOrganizationSettings', { UserMailInsert: 'x'.repeat(257) });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.OutOfRange);
    });
  });

  describe('ResultSize and Filter', () => {
    it.each([
      ['Unlimited', 'Unlimited'],
      ['unlimited', 'Unlimited'],
      [500, 500],
      ['25', 25],
    ])('binds ResultSize %p as %p', (given, expected) => {
      const result = sut('Get-CASMailbox', { ResultSize: given });

      expect(result.ok && result.value.parameters['ResultSize']).toBe(expected);
    });

    it.each([0, -5])('refuses ResultSize %p as out of range', (given) => {
      const result = sut('Get-CASMailbox', { ResultSize: given });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.OutOfRange);
    });

    it.each(['all', 1.5, true])('refuses ResultSize %p as a bad type', (given) => {
      const result = sut('Get-CASMailbox', { ResultSize: given });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.BadType);
    });

    it('refuses a filter that does not parse', () => {
      const result = sut('Get-MobileDevice', { Filter: "DeviceAccessState -eq 'Quarantined" });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.BadFilter);
    });

    it('refuses a filter on a property the cmdlet cannot filter on', () => {
      const result = sut('Get-MobileDevice', { Filter: "UserPrincipalName -eq 'u@contoso.com'" });

      expect(!result.ok && result.errors[0]).toMatchObject({
        code: CmdletSchemaErrorCode.BadFilter,
        hint: expect.stringContaining('DeviceAccessState'),
      });
    });

    it('accepts the filters easgate uses', () => {
      expect(sut('Get-MobileDevice', { Filter: "DeviceAccessState -eq 'Quarantined'" }).ok).toBe(true);
      expect(
        sut('Get-Mailbox', { Filter: "RecipientTypeDetails -eq 'UserMailbox' -and Name -like 'x*'" }).ok,
      ).toBe(true);
      expect(sut('Get-CASMailbox', { Filter: 'HasActiveSyncDevicePartnership -eq $true' }).ok).toBe(true);
    });
  });

  describe('parameter sets and mandatory parameters', () => {
    it('refuses Identity together with Mailbox', () => {
      const result = sut('Get-MobileDevice', { Identity: 'a', Mailbox: 'b' });

      expect(!result.ok && result.errors[0]).toMatchObject({
        code: CmdletSchemaErrorCode.AmbiguousParameterSet,
        message: expect.stringContaining(
          'Parameter set cannot be resolved using the specified named parameters.',
        ),
      });
    });

    it('refuses Clear-MobileDevice with both -Cancel and -AccountOnly', () => {
      const result = sut('Clear-MobileDevice', { Identity: 'a', Cancel: true, AccountOnly: true });

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.AmbiguousParameterSet);
    });

    it('reports missing mandatory parameters with their names', () => {
      const result = sut('New-ActiveSyncDeviceAccessRule', { QueryString: 'x' });

      expect(!result.ok && result.errors[0]).toMatchObject({
        code: CmdletSchemaErrorCode.MissingRequired,
        message:
          'Cannot process command because of one or more missing mandatory parameters: Characteristic AccessLevel.',
      });
    });

    it('needs Identity or Mailbox for Get-MobileDeviceStatistics', () => {
      const result = sut('Get-MobileDeviceStatistics', {});

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.MissingRequired);
    });

    it('puts the unknown-parameter error first, as the server reports it', () => {
      const result = sut('Set-CASMailbox', { ActiveSyncEnabled: 'x', Bogus: 1 });

      expect(!result.ok && result.errors.map((e) => e.code)).toEqual([
        CmdletSchemaErrorCode.UnknownParameter,
        CmdletSchemaErrorCode.BadType,
        CmdletSchemaErrorCode.MissingRequired,
      ]);
    });
  });
});

describe(parseResultSize.name, () => {
  it('parses Unlimited and positive integers and nothing else', () => {
    const sut = parseResultSize;

    expect([
      sut('Unlimited'),
      sut(' UNLIMITED '),
      sut(1),
      sut('1000'),
      sut(0),
      sut('x'),
      sut(2.5),
      sut(null),
    ]).toEqual(['Unlimited', 'Unlimited', 1, 1000, undefined, undefined, undefined, undefined]);
  });
});

describe(effectiveResultSize.name, () => {
  it('defaults to 1000 for paged cmdlets and is unbounded for Unlimited', () => {
    const sut = effectiveResultSize;
    const defaulted = bindServerParameters('Get-MobileDevice', {});
    const unlimited = bindServerParameters('Get-MobileDevice', { ResultSize: 'Unlimited' });

    expect(defaulted.ok && sut(defaulted.value)).toBe(1000);
    expect(unlimited.ok && sut(unlimited.value)).toBe(Number.POSITIVE_INFINITY);
  });
});

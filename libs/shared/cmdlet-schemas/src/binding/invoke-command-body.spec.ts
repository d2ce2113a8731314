import { CmdletSchemaErrorCode } from './cmdlet-schema-error';
import {
  bindInvokeCommandBody,
  buildInvokeCommandBody,
  buildUntypedInvokeCommandBody,
  toInvokeCommandBody,
  validateCmdletInput,
  validateUntypedCmdletInput,
} from './invoke-command-body';

describe(buildInvokeCommandBody.name, () => {
  const sut = buildInvokeCommandBody;

  it('serializes an Add as a tagged GenericHashTable, as the reference shows', () => {
    const result = sut('Set-CASMailbox', {
      Identity: 'user@contoso.com',
      ActiveSyncAllowedDeviceIDs: { add: 'ApplF17XXXXXXXXX' },
    });

    expect(result).toEqual({
      ok: true,
      value: {
        CmdletInput: {
          CmdletName: 'Set-CASMailbox',
          Parameters: {
            Identity: 'user@contoso.com',
            ActiveSyncAllowedDeviceIDs: {
              '@odata.type': '#Exchange.GenericHashTable',
              Add: ['ApplF17XXXXXXXXX'],
            },
          },
        },
      },
    });
  });

  it('serializes Add and Remove together and exactly as JSON text', () => {
    const result = sut('Set-CASMailbox', {
      Identity: 'u@contoso.com',
      ActiveSyncBlockedDeviceIDs: { add: ['A1', 'A2'], remove: ['B1'] },
    });

    expect(result.ok && JSON.stringify(result.value)).toBe(
      '{"CmdletInput":{"CmdletName":"Set-CASMailbox","Parameters":{"Identity":"u@contoso.com","ActiveSyncBlockedDeviceIDs":{"@odata.type":"#Exchange.GenericHashTable","Add":["A1","A2"],"Remove":["B1"]}}}}',
    );
  });

  it('serializes a plain array as a replacement and null as a clear', () => {
    const result = sut('Set-CASMailbox', {
      Identity: 'u@contoso.com',
      ActiveSyncAllowedDeviceIDs: ['D1', 'D2'],
      ActiveSyncBlockedDeviceIDs: null,
      ActiveSyncMailboxPolicy: null,
    });

    expect(result.ok && result.value.CmdletInput.Parameters).toEqual({
      Identity: 'u@contoso.com',
      ActiveSyncAllowedDeviceIDs: ['D1', 'D2'],
      ActiveSyncBlockedDeviceIDs: null,
      ActiveSyncMailboxPolicy: null,
    });
  });

  it('serializes switches as true and Confirm:false as false', () => {
    const result = sut('Clear-MobileDevice', {
      Identity: 'u\\ExchangeActiveSyncDevices\\iPhone§ApplABC',
      AccountOnly: true,
      Confirm: false,
    });

    expect(result.ok && result.value.CmdletInput.Parameters).toEqual({
      Identity: 'u\\ExchangeActiveSyncDevices\\iPhone§ApplABC',
      AccountOnly: true,
      Confirm: false,
    });
  });

  it('serializes ResultSize Unlimited and a Filter as strings', () => {
    const result = sut('Get-MobileDevice', {
      ResultSize: 'Unlimited',
      Filter: "DeviceAccessState -eq 'Quarantined'",
    });

    expect(result.ok && result.value).toEqual({
      CmdletInput: {
        CmdletName: 'Get-MobileDevice',
        Parameters: { ResultSize: 'Unlimited', Filter: "DeviceAccessState -eq 'Quarantined'" },
      },
    });
  });

  it('sends an empty Parameters object when there are no parameters', () => {
    const result = sut('Get-OrganizationConfig', {});

    expect(result.ok && result.value).toEqual({
      CmdletInput: { CmdletName: 'Get-OrganizationConfig', Parameters: {} },
    });
  });

  it('canonicalises parameter names, enum values and the cmdlet name from untyped CLI input', () => {
    const result = buildUntypedInvokeCommandBody('set-activesyncorganizationsettings', {
      defaultaccesslevel: 'quarantine',
    });

    expect(result.ok && result.value).toEqual({
      CmdletInput: {
        CmdletName: 'Set-ActiveSyncOrganizationSettings',
        Parameters: { DefaultAccessLevel: 'Quarantine' },
      },
    });
  });

  it('coerces CLI text to the parameter type', () => {
    const result = buildUntypedInvokeCommandBody('Set-CASMailbox', {
      Identity: 'u@contoso.com',
      ActiveSyncEnabled: 'false',
    });

    expect(result.ok && result.value.CmdletInput.Parameters).toEqual({
      Identity: 'u@contoso.com',
      ActiveSyncEnabled: false,
    });
  });

  it('refuses to serialize invalid input and lists the valid values', () => {
    const result = sut('New-ActiveSyncDeviceAccessRule', {
      QueryString: 'iPhone',
      Characteristic: 'DeviceType',
      AccessLevel: 'Deny',
    } as never);

    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors[0].code).toBe(CmdletSchemaErrorCode.BadEnumValue);
      expect(result.errors[0].hint).toContain('Allow, Block, Quarantine');
    }
  });
});

describe(validateUntypedCmdletInput.name, () => {
  it('reports every problem at once for the client', () => {
    const sut = validateUntypedCmdletInput;

    const result = sut('Set-CASMailbox', { ActiveSyncEnabeld: true, ActiveSyncEnabled: 'maybe' });

    expect(!result.ok && result.errors.map((e) => e.code)).toEqual([
      CmdletSchemaErrorCode.UnknownParameter,
      CmdletSchemaErrorCode.BadType,
      CmdletSchemaErrorCode.MissingRequired,
    ]);
  });

  it('accepts an untagged { Add } object from the client in any key case', () => {
    const result = validateUntypedCmdletInput('Set-CASMailbox', {
      Identity: 'u',
      ActiveSyncBlockedDeviceIDs: { ADD: 'X' },
    });

    expect(result.ok && result.value.parameters['ActiveSyncBlockedDeviceIDs']).toEqual({
      op: 'update',
      add: ['X'],
      remove: [],
    });
  });
});

describe(toInvokeCommandBody.name, () => {
  it('round-trips through the server binder unchanged', () => {
    const client = validateCmdletInput('Set-CASMailbox', {
      Identity: 'u@contoso.com',
      ActiveSyncAllowedDeviceIDs: { add: ['A'], remove: ['B'] },
      ActiveSyncEnabled: true,
    });
    if (!client.ok) throw new Error('expected valid input');
    const sut = toInvokeCommandBody(client.value);

    const server = bindInvokeCommandBody(JSON.parse(JSON.stringify(sut)));

    expect(server.ok && server.value.parameters).toEqual(client.value.parameters);
  });
});

describe(bindInvokeCommandBody.name, () => {
  const sut = bindInvokeCommandBody;

  it('binds a body without Parameters', () => {
    const result = sut({ CmdletInput: { CmdletName: 'Get-ActiveSyncOrganizationSettings' } });

    expect(result.ok && result.value.name).toBe('Get-ActiveSyncOrganizationSettings');
  });

  it.each([null, {}, { CmdletInput: {} }, { CmdletInput: { CmdletName: 42 } }, 'text'])(
    'refuses a malformed body %p',
    (body) => {
      const result = sut(body);

      expect(!result.ok && result.errors[0].code).toBe(CmdletSchemaErrorCode.BadParametersObject);
    },
  );

  it('reports an unknown cmdlet like PowerShell', () => {
    const result = sut({ CmdletInput: { CmdletName: 'Get-Foo', Parameters: {} } });

    expect(!result.ok && result.errors[0]).toMatchObject({
      code: CmdletSchemaErrorCode.UnknownCmdlet,
      message: expect.stringContaining("The term 'Get-Foo' is not recognized as the name of a cmdlet"),
    });
  });
});

import { OpathErrorCode, parseOpathFilter } from './opath-parser';

describe(parseOpathFilter.name, () => {
  const sut = parseOpathFilter;

  it('parses an equality with a single-quoted value', () => {
    const result = sut("DeviceAccessState -eq 'Quarantined'");

    expect(result).toEqual({
      ok: true,
      value: {
        type: 'comparison',
        property: 'DeviceAccessState',
        operator: 'eq',
        value: { kind: 'string', value: 'Quarantined' },
      },
    });
  });

  it('reads operators case-insensitively', () => {
    const result = sut("Name -LIKE 'x*'");

    expect(result.ok && result.value).toMatchObject({ operator: 'like', value: { value: 'x*' } });
  });

  it('unescapes doubled quotes in single- and double-quoted values', () => {
    const single = sut("UserPrincipalName -eq 'o''brien@contoso.com'");
    const double = sut('DisplayName -eq "say ""hi"""');

    expect(single.ok && single.value).toMatchObject({ value: { value: "o'brien@contoso.com" } });
    expect(double.ok && double.value).toMatchObject({ value: { value: 'say "hi"' } });
  });

  it('parses $true, $false and $null', () => {
    const result = sut('HasActiveSyncDevicePartnership -eq $true -and ActiveSyncMailboxPolicy -ne $null');

    expect(result.ok && result.value).toEqual({
      type: 'and',
      operands: [
        {
          type: 'comparison',
          property: 'HasActiveSyncDevicePartnership',
          operator: 'eq',
          value: { kind: 'bool', value: true },
        },
        { type: 'comparison', property: 'ActiveSyncMailboxPolicy', operator: 'ne', value: { kind: 'null' } },
      ],
    });
  });

  it('binds -and tighter than -or', () => {
    const result = sut("A -eq '1' -or B -eq '2' -and C -eq '3'");

    expect(result.ok && result.value).toMatchObject({
      type: 'or',
      operands: [{ property: 'A' }, { type: 'and', operands: [{ property: 'B' }, { property: 'C' }] }],
    });
  });

  it('honours parentheses and -not', () => {
    const result = sut("-not (Name -like 'CAS_{*' -or Name -eq 'x')");

    expect(result.ok && result.value).toMatchObject({ type: 'not', operand: { type: 'or' } });
  });

  it('parses the Microsoft example with -not before a comparison', () => {
    const result = sut("HasActiveSyncDevicePartnership -eq $true -and -not DisplayName -like 'CAS_{*'");

    expect(result.ok && result.value).toMatchObject({
      type: 'and',
      operands: [
        { property: 'HasActiveSyncDevicePartnership' },
        { type: 'not', operand: { property: 'DisplayName' } },
      ],
    });
  });

  it('accepts bare-word values such as numbers', () => {
    const result = sut('ProvisioningFlags -ge 2');

    expect(result.ok && result.value).toMatchObject({
      operator: 'ge',
      value: { kind: 'string', value: '2' },
    });
  });

  it.each([
    ["DeviceAccessState -eq 'Quarantined", 22],
    ["DeviceAccessState 'Quarantined'", 18],
    ["DeviceAccessState -contains 'x'", 18],
    ["(Name -eq 'a'", 13],
    ["Name -eq 'a' Name", 13],
    ['Name -eq', 8],
    ['Name -eq $maybe', 9],
    ['', 0],
  ] as [string, number][])('refuses %p with the position of the problem', (text, position) => {
    const result = sut(text);

    expect(!result.ok && result.errors[0]).toMatchObject({ code: OpathErrorCode.Syntax, position });
  });

  it('refuses properties outside the filterable list, naming the valid ones', () => {
    const result = sut("Foo -eq 'x' -and DeviceId -eq 'y'", {
      filterableProperties: ['DeviceId', 'DeviceType'],
    });

    expect(!result.ok && result.errors[0]).toMatchObject({
      code: OpathErrorCode.UnknownProperty,
      message: expect.stringContaining('DeviceId, DeviceType'),
      position: 0,
    });
  });

  it('matches filterable properties case-insensitively', () => {
    const result = sut("deviceid -eq 'x'", { filterableProperties: ['DeviceId'] });

    expect(result.ok).toBe(true);
  });
});

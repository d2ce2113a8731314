import { parseOpathFilter } from './opath-parser';
import { evaluateOpathFilter, wildcardToRegExp } from './opath-evaluator';

function matches(filter: string, object: Record<string, unknown>): boolean {
  const parsed = parseOpathFilter(filter);
  if (!parsed.ok) throw new Error(parsed.errors[0].message);
  return evaluateOpathFilter(parsed.value, object);
}

describe(evaluateOpathFilter.name, () => {
  const device = (overrides: Record<string, unknown> = {}) => ({
    DeviceId: 'ApplF17ABC',
    DeviceAccessState: 'Quarantined',
    DeviceAccessStateReason: 'Global',
    FirstSyncTime: '2026-01-15T10:00:00Z',
    ProvisioningFlags: 3,
    ...overrides,
  });
  const mailbox = (overrides: Record<string, unknown> = {}) => ({
    Name: 'xavier',
    UserPrincipalName: 'Xavier@contoso.com',
    RecipientTypeDetails: 'UserMailbox',
    HasActiveSyncDevicePartnership: true,
    ActiveSyncAllowedDeviceIDs: ['A1', 'A2'],
    ActiveSyncMailboxPolicy: null,
    ...overrides,
  });

  it('compares strings case-insensitively', () => {
    expect(matches("DeviceAccessState -eq 'quarantined'", device())).toBe(true);
    expect(matches("DeviceAccessState -eq 'Allowed'", device())).toBe(false);
    expect(matches("UserPrincipalName -eq 'xavier@CONTOSO.com'", mailbox())).toBe(true);
  });

  it('reads property names case-insensitively', () => {
    expect(matches("deviceaccessstate -eq 'Quarantined'", device())).toBe(true);
  });

  it('matches -like with the * wildcard only', () => {
    expect(matches("Name -like 'x*'", mailbox())).toBe(true);
    expect(matches("Name -like '*VIER'", mailbox())).toBe(true);
    expect(matches("Name -like 'y*'", mailbox())).toBe(false);
    expect(matches("Name -like 'x.vier'", mailbox())).toBe(false);
    expect(matches("Name -notlike 'x*'", mailbox())).toBe(false);
  });

  it('combines -and, -or and -not', () => {
    const sutObject = mailbox();

    expect(matches("RecipientTypeDetails -eq 'UserMailbox' -and Name -like 'x*'", sutObject)).toBe(true);
    expect(matches("RecipientTypeDetails -eq 'SharedMailbox' -or Name -like 'x*'", sutObject)).toBe(true);
    expect(matches("-not (RecipientTypeDetails -eq 'UserMailbox')", sutObject)).toBe(false);
  });

  it('compares booleans with $true and $false', () => {
    expect(matches('HasActiveSyncDevicePartnership -eq $true', mailbox())).toBe(true);
    expect(matches('HasActiveSyncDevicePartnership -eq $false', mailbox())).toBe(false);
  });

  it('treats null, missing and empty as $null', () => {
    expect(matches('ActiveSyncMailboxPolicy -eq $null', mailbox())).toBe(true);
    expect(matches('Missing -eq $null', mailbox())).toBe(true);
    expect(matches('ActiveSyncAllowedDeviceIDs -ne $null', mailbox())).toBe(true);
    expect(matches('ActiveSyncAllowedDeviceIDs -eq $null', mailbox({ ActiveSyncAllowedDeviceIDs: [] }))).toBe(
      true,
    );
  });

  it('matches a multi-valued property when any element matches', () => {
    expect(matches("ActiveSyncAllowedDeviceIDs -eq 'a2'", mailbox())).toBe(true);
    expect(matches("ActiveSyncAllowedDeviceIDs -ne 'A2'", mailbox())).toBe(false);
    expect(matches("ActiveSyncAllowedDeviceIDs -like 'A*'", mailbox())).toBe(true);
  });

  it('orders numbers numerically and dates chronologically', () => {
    expect(matches('ProvisioningFlags -gt 2', device())).toBe(true);
    expect(matches('ProvisioningFlags -lt 10', device())).toBe(true);
    expect(matches("FirstSyncTime -ge '2026-01-01T00:00:00Z'", device())).toBe(true);
    expect(matches("FirstSyncTime -lt '2026-01-01'", device())).toBe(false);
  });

  it('uses a custom property reader when given (e.g. filter-only names)', () => {
    const parsed = parseOpathFilter("msExchMobileAllowedDeviceIds -eq 'A1'");
    if (!parsed.ok) throw new Error('parse');

    const result = evaluateOpathFilter(parsed.value, mailbox(), {
      readProperty: (object, property) =>
        property.toLowerCase() === 'msexchmobilealloweddeviceids'
          ? object['ActiveSyncAllowedDeviceIDs']
          : undefined,
    });

    expect(result).toBe(true);
  });
});

describe(wildcardToRegExp.name, () => {
  it('escapes regular-expression characters other than *', () => {
    const sut = wildcardToRegExp('CAS_{*}(1)');

    expect(sut.test('cas_{abc}(1)')).toBe(true);
    expect(sut.test('CAS_x')).toBe(false);
  });
});

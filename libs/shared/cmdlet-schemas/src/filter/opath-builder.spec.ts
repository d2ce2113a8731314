import { formatOpathFilter, opath, quoteOpathString } from './opath-builder';
import { parseOpathFilter } from './opath-parser';

describe(formatOpathFilter.name, () => {
  const sut = formatOpathFilter;

  it('formats the filters easgate uses', () => {
    expect(sut(opath.eq('DeviceAccessState', 'Quarantined'))).toBe("DeviceAccessState -eq 'Quarantined'");
    expect(sut(opath.like('Name', 'x*'))).toBe("Name -like 'x*'");
    expect(
      sut(
        opath.and(opath.eq('RecipientTypeDetails', 'UserMailbox'), opath.eq('UserPrincipalName', 'u@c.com')),
      ),
    ).toBe("RecipientTypeDetails -eq 'UserMailbox' -and UserPrincipalName -eq 'u@c.com'");
    expect(sut(opath.eq('HasActiveSyncDevicePartnership', true))).toBe(
      'HasActiveSyncDevicePartnership -eq $true',
    );
    expect(sut(opath.ne('ActiveSyncMailboxPolicy', null))).toBe('ActiveSyncMailboxPolicy -ne $null');
  });

  it('parenthesises nested groups so precedence never matters', () => {
    const filter = opath.or(opath.and(opath.eq('A', 1), opath.eq('B', 2)), opath.not(opath.eq('C', 3)));

    expect(sut(filter)).toBe("(A -eq '1' -and B -eq '2') -or (-not (C -eq '3'))");
  });

  it('quotes hostile user data so that it stays one value', () => {
    const filter = opath.eq('UserPrincipalName', "x' -or Name -like '*");
    const text = sut(filter);

    const parsed = parseOpathFilter(text);

    expect(text).toBe("UserPrincipalName -eq 'x'' -or Name -like ''*'");
    expect(parsed.ok && parsed.value).toEqual(filter);
  });

  it('refuses a property name that is not an identifier', () => {
    expect(() => opath.eq("Name -eq 'x' -or Name", 'y')).toThrow(RangeError);
  });
});

describe(quoteOpathString.name, () => {
  it('doubles embedded single quotes', () => {
    expect(quoteOpathString("O'Brien")).toBe("'O''Brien'");
  });
});

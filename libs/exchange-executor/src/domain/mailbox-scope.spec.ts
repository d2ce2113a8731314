import { parseOpathFilter } from '@easgate/cmdlet-schemas';
import { scopeFilter, scopeFilterFor } from './mailbox-scope';

describe(scopeFilterFor.name, () => {
  it('narrows the scope filter to the mailbox by UPN or primary address', () => {
    const sut = scopeFilterFor({ recipientRestrictionFilter: "Department -eq 'Sales'" }, 'ann@contoso.com');
    expect(sut).toBe(
      "((UserPrincipalName -eq 'ann@contoso.com') -or (PrimarySmtpAddress -eq 'ann@contoso.com')) -and (Department -eq 'Sales')",
    );
  });

  it('expresses a scope group as MemberOfGroup and quotes what comes from data', () => {
    const sut = scopeFilterFor({ policyScopeGroupId: 'CN=EAS Users,OU=x' }, "o'brien@contoso.com");
    expect(sut).toContain("(MemberOfGroup -eq 'CN=EAS Users,OU=x')");
    expect(sut).toContain("'o''brien@contoso.com'");
    expect(() => parseOpathFilter(sut)).not.toThrow();
  });
});

describe(scopeFilter.name, () => {
  it('is the scope alone, without a mailbox, for the connection test to ask Exchange what it admits', () => {
    const sut = scopeFilter({
      recipientRestrictionFilter: "Department -eq 'Sales'",
      policyScopeGroupId: 'CN=G',
    });
    expect(sut).toBe("(Department -eq 'Sales') -and (MemberOfGroup -eq 'CN=G')");
    expect(() => parseOpathFilter(sut!)).not.toThrow();
  });

  it('is undefined for a scope that names nothing', () => {
    expect(scopeFilter({ allowTenantWide: true })).toBeUndefined();
  });
});

import type { SessionUser } from '../api';
import { writeAccess } from './permissions';

const aUser = (overrides: Partial<SessionUser> = {}): SessionUser => ({
  id: 'ada',
  roles: ['operator'],
  tenants: ['contoso.onmicrosoft.com'],
  ...overrides,
});

describe(writeAccess.name, () => {
  it('refuses every write to an auditor, saying which role it needs', () => {
    const sut = aUser({ roles: ['auditor'], tenants: '*' });

    expect(writeAccess(sut, 'contoso.onmicrosoft.com')).toEqual({
      allowed: false,
      reason: 'Read-only: this change needs the operator role; you are signed in as auditor.',
    });
    expect(writeAccess(sut, '*', 'admin').allowed).toBe(false);
  });

  it('lets an operator write for a granted tenant, known by either of its names, but not as an admin', () => {
    const sut = aUser();

    expect(writeAccess(sut, ['GUID-1', 'Contoso.onmicrosoft.com'])).toEqual({ allowed: true });
    expect(writeAccess(sut, 'fabrikam.com')).toEqual({
      allowed: false,
      reason: 'Read-only: you hold no grant for this tenant.',
    });
    expect(writeAccess(sut, 'contoso.onmicrosoft.com', 'admin').allowed).toBe(false);
  });

  it('keeps the writes over every tenant to users who hold every tenant', () => {
    expect(writeAccess(aUser(), '*').reason).toBe('Read-only: this change needs a grant for every tenant.');
    expect(writeAccess(aUser({ roles: ['admin'], tenants: '*' }), '*', 'admin')).toEqual({ allowed: true });
  });

  it('checks only the role while the tenant is not known yet', () => {
    expect(writeAccess(aUser({ roles: ['admin'] }), null, 'admin')).toEqual({ allowed: true });
    expect(writeAccess(aUser(), null, 'admin').allowed).toBe(false);
  });
});

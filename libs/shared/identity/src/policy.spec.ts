import type { Identity } from './identity';
import {
  type AccessPolicy,
  allTenants,
  byParam,
  checkedInHandler,
  permitsRole,
  permitsTenant,
} from './policy';

const user = (roles: Identity['roles'], tenants: Identity['tenants'] = '*'): Identity => ({
  kind: 'user',
  id: 'alice',
  roles,
  tenants,
});
const service = (id: string): Identity => ({ kind: 'service', id, roles: ['service'], tenants: '*' });
const policy = (need: AccessPolicy['need'], services?: string[]): AccessPolicy => ({
  need,
  tenant: allTenants,
  ...(services && { services }),
});

describe(permitsRole.name, () => {
  it('ranks the human roles: an admin may what an operator may, an operator what an auditor may', () => {
    expect(permitsRole(policy('auditor'), user(['auditor']))).toBe(true);
    expect(permitsRole(policy('auditor'), user(['operator']))).toBe(true);
    expect(permitsRole(policy('operator'), user(['auditor']))).toBe(false);
    expect(permitsRole(policy('admin'), user(['operator']))).toBe(false);
    expect(permitsRole(policy('admin'), user(['admin']))).toBe(true);
  });

  it('admits publishers only on publisher routes, and admins there too', () => {
    expect(permitsRole(policy('mdm-publisher'), user(['mdm-publisher']))).toBe(true);
    expect(permitsRole(policy('mdm-publisher'), user(['admin']))).toBe(true);
    expect(permitsRole(policy('mdm-publisher'), user(['operator']))).toBe(false);
    expect(permitsRole(policy('auditor'), user(['mdm-publisher']))).toBe(false);
  });

  it('admits a service only where the route names it, and no person on a service route', () => {
    const signing = policy('service', ['exchange-executor']);
    expect(permitsRole(signing, service('exchange-executor'))).toBe(true);
    expect(permitsRole(signing, service('alerting'))).toBe(false);
    expect(permitsRole(signing, user(['admin']))).toBe(false);
    expect(permitsRole(policy('auditor'), service('exchange-executor'))).toBe(false);
  });
});

describe(permitsTenant.name, () => {
  it('checks the route tenant against the grants, case-insensitively', () => {
    const scoped = user(['operator'], ['Contoso.onmicrosoft.com']);
    expect(permitsTenant(byParam('tenant'), scoped, 'contoso.onmicrosoft.com')).toBe(true);
    expect(permitsTenant(byParam('tenant'), scoped, 'fabrikam.onmicrosoft.com')).toBe(false);
    expect(permitsTenant(byParam('tenant'), scoped, '')).toBe(false);
  });

  it('keeps whole-system routes and unknown records for callers holding every tenant', () => {
    expect(permitsTenant(allTenants, user(['admin'], ['a']), undefined)).toBe(false);
    expect(permitsTenant(allTenants, user(['admin']), undefined)).toBe(true);
    expect(permitsTenant(byParam('tenant'), user(['admin'], ['a']), undefined)).toBe(false);
    expect(permitsTenant(checkedInHandler('body'), user(['admin'], ['a']), undefined)).toBe(true);
  });
});

import type { TenantConnection } from '../api';
import { ALL_TENANTS, tenantChoices } from './dead-letters';

const contoso: TenantConnection = {
  id: 'c1',
  tenantId: '11111111-1111-1111-1111-111111111111',
  appId: 'a',
  organization: 'contoso.onmicrosoft.com',
};

describe(tenantChoices.name, () => {
  it('offers every tenant first to a user who holds them all, then each tenant under both its names', () => {
    const sut = tenantChoices({ id: 'admin', roles: ['admin'], tenants: '*' }, [contoso]);

    expect(sut.map((c) => c.value)).toEqual([ALL_TENANTS, contoso.organization, contoso.tenantId]);
  });

  it('offers a user only the tenants granted, also those no connection names', () => {
    const sut = tenantChoices(
      { id: 'op', roles: ['operator'], tenants: ['CONTOSO.onmicrosoft.com', 'fabrikam.com'] },
      [contoso],
    );

    expect(sut.map((c) => c.value)).toEqual(['contoso.onmicrosoft.com', 'fabrikam.com']);
  });
});

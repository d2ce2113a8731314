import { EasgateError } from '@easgate/contracts';
import type { ExchangeClient, TenantConnection } from './exchange-client';
import { FallbackTenantClients, TenantClientErrorCode, type TenantClients } from './tenant-clients';

function fakeClients(
  name: string,
  tenants: string[],
  failure?: EasgateError,
): TenantClients & { name: string } {
  const connection = (tenant: string): TenantConnection => ({
    id: name,
    organization: tenant,
    appId: 'app',
    cloud: 'O365Default',
  });
  const describe = async (tenant: string) => {
    if (failure) throw failure;
    if (!tenants.includes(tenant))
      throw new EasgateError(TenantClientErrorCode.NoConnection, `none for ${tenant}`);
    return connection(tenant);
  };
  return {
    name,
    describe,
    clientFor: async (tenant) => {
      await describe(tenant);
      return { name } as unknown as ExchangeClient;
    },
  };
}

describe(FallbackTenantClients.name, () => {
  it('uses the vault connection when the vault has one', async () => {
    const sut = new FallbackTenantClients(
      fakeClients('vault', ['a.onmicrosoft.com']),
      fakeClients('config', ['a.onmicrosoft.com']),
    );
    expect((await sut.describe('a.onmicrosoft.com')).id).toBe('vault');
  });

  it('falls back to the configured connection when the vault has none for the tenant', async () => {
    const sut = new FallbackTenantClients(
      fakeClients('vault', []),
      fakeClients('config', ['b.onmicrosoft.com']),
    );
    expect((await sut.describe('b.onmicrosoft.com')).id).toBe('config');
  });

  it('does not hide a vault outage behind the configured connection', async () => {
    const outage = new EasgateError(TenantClientErrorCode.VaultUnavailable, 'down', true);
    const sut = new FallbackTenantClients(
      fakeClients('vault', [], outage),
      fakeClients('config', ['c.onmicrosoft.com']),
    );
    await expect(sut.clientFor('c.onmicrosoft.com')).rejects.toBe(outage);
  });
});

import type { ExchangeClient } from '../infra/exchange-client';
import { ScopeGuard } from './scope-guard';

function fakeClient(inScope: (filter: string) => boolean) {
  const calls: Record<string, unknown>[] = [];
  const client = {
    invoke: (_cmdlet: string, params: Record<string, unknown>) => {
      calls.push(params);
      return Promise.resolve({ values: inScope(String(params['Filter'])) ? [{ Name: 'x' }] : [] });
    },
  } as unknown as ExchangeClient;
  return { client, calls };
}

const sales = new Map([['contoso.com', { recipientRestrictionFilter: "Department -eq 'Sales'" }]]);

describe(ScopeGuard.name, () => {
  it('lets every mailbox of an unscoped tenant through without asking Exchange', async () => {
    const sut = new ScopeGuard(sales);
    const { client, calls } = fakeClient(() => false);
    await sut.ensureInScope(client, 'fabrikam.com', 'ann@fabrikam.com');
    expect(calls).toHaveLength(0);
  });

  it('refuses a mailbox Exchange does not return for the scope filter, with OUT_OF_SCOPE', async () => {
    const sut = new ScopeGuard(sales);
    const { client } = fakeClient(() => false);
    await expect(sut.ensureInScope(client, 'Contoso.com', 'bob@contoso.com')).rejects.toMatchObject({
      code: 'OUT_OF_SCOPE',
      retriable: false,
    });
  });

  it('asks Exchange once per mailbox while its verdict is fresh', async () => {
    let now = 0;
    const sut = new ScopeGuard(sales, () => now);
    const { client, calls } = fakeClient(() => true);
    await sut.ensureInScope(client, 'contoso.com', 'ann@contoso.com');
    await sut.ensureInScope(client, 'contoso.com', 'ANN@contoso.com');
    expect(calls).toHaveLength(1);
    now = 10 * 60_000;
    await sut.ensureInScope(client, 'contoso.com', 'ann@contoso.com');
    expect(calls).toHaveLength(2);
  });

  it('refuses tenant-wide actions in a scoped tenant unless allowed', async () => {
    const { client } = fakeClient(() => true);
    await expect(new ScopeGuard(sales).ensureInScope(client, 'contoso.com', undefined)).rejects.toMatchObject(
      {
        code: 'OUT_OF_SCOPE',
      },
    );
    const open = new ScopeGuard(
      new Map([['contoso.com', { policyScopeGroupId: 'g', allowTenantWide: true }]]),
    );
    await expect(open.ensureInScope(client, 'contoso.com', undefined)).resolves.toBeUndefined();
  });

  it('finds a scope keyed by the tenant domain for a command naming the tenant id', async () => {
    const sut = new ScopeGuard(sales);
    const { client, calls } = fakeClient(() => false);
    await expect(
      sut.ensureInScope(client, '7f0c…-tenant-id', 'bob@contoso.com', ['7f0c…-tenant-id', 'Contoso.com']),
    ).rejects.toMatchObject({ code: 'OUT_OF_SCOPE' });
    expect(calls).toHaveLength(1);
  });
});

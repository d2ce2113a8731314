import type { Logger } from '@easgate/messaging';
import type { TenantClients } from '../infra/tenant-clients';
import type { TenantStatusQueries } from '../infra/persistence/tenant-status.queries';
import type { ScanStatus } from './discovery';
import { HealthReporter } from './health-reporter';
import { TenantStatus } from './tenant-status';

const NOW = new Date('2026-01-01T12:00:00.000Z');

/** Durable rows keyed by tenant name, as the command log and the snapshot store them. */
function queriesOf(rows: {
  applied?: Record<string, string>;
  pending?: Record<string, { depth: number; oldest: string }>;
  mailboxes?: Record<string, { count: number; last: string }>;
}): TenantStatusQueries {
  return {
    lastApplied: (t: string) =>
      Promise.resolve(
        rows.applied?.[t] && { commandId: `c-${t}`, completedAt: rows.applied[t], action: 'block-device' },
      ),
    backlog: (t: string) => {
      const p = rows.pending?.[t];
      return Promise.resolve(p ? { depth: p.depth, oldestReceivedAt: p.oldest } : { depth: 0 });
    },
    inventory: (t: string) => {
      const m = rows.mailboxes?.[t];
      return Promise.resolve(m ? { mailboxes: m.count, lastObservedAt: m.last } : { mailboxes: 0 });
    },
  } as unknown as TenantStatusQueries;
}

function build(options: { connection?: boolean; scans?: ScanStatus[]; queries?: TenantStatusQueries }) {
  const clients: TenantClients = {
    clientFor: () => Promise.reject(new Error('not used')),
    describe: () =>
      options.connection
        ? Promise.resolve({
            id: 'conn-1',
            appId: 'app',
            tenantId: 'GUID-1',
            organization: 'contoso.onmicrosoft.com',
          } as never)
        : Promise.reject(Object.assign(new Error('no connection'), { code: 'EXO_NO_TENANT_CONNECTION' })),
  };
  const health = new HealthReporter(
    { publish: () => Promise.resolve(), backlog: () => Promise.resolve([]), now: () => NOW.getTime() },
    { windowSeconds: 60, throttleThreshold: 3, intervalMs: 1000, discoveryIntervalSeconds: 3600 },
    { warn: () => undefined } as unknown as Logger,
  );
  const scans = options.scans ?? [];
  const discovery = {
    latest: (names: readonly string[]) => scans.find((s) => names.includes(s.tenant)),
  };
  const sut = new TenantStatus(clients, health, discovery, options.queries ?? queriesOf({}), () => NOW);
  return { sut, health };
}

describe(TenantStatus.name, () => {
  it('adds up what is stored under the tenant id and under its domain', async () => {
    const { sut } = build({
      connection: true,
      queries: queriesOf({
        applied: {
          'guid-1': '2026-01-01T10:00:00.000Z',
          'contoso.onmicrosoft.com': '2026-01-01T11:00:00.000Z',
        },
        pending: {
          'guid-1': { depth: 2, oldest: '2026-01-01T11:59:00.000Z' },
          'contoso.onmicrosoft.com': { depth: 1, oldest: '2026-01-01T11:58:00.000Z' },
        },
        mailboxes: { 'contoso.onmicrosoft.com': { count: 40, last: '2026-01-01T09:00:00.000Z' } },
      }),
    });

    const status = await sut.of('contoso.onmicrosoft.com');

    expect(status.knownAs).toEqual(['contoso.onmicrosoft.com', 'guid-1']);
    expect(status.lastAppliedCommand).toMatchObject({ completedAt: '2026-01-01T11:00:00.000Z' });
    expect(status.lastSuccessfulCall).toEqual({
      at: '2026-01-01T11:00:00.000Z',
      source: 'command',
      what: 'block-device',
    });
    expect(status.backlog).toEqual({
      depth: 3,
      oldestReceivedAt: '2026-01-01T11:58:00.000Z',
      oldestAgeSeconds: 120,
    });
    expect(status.discovery).toEqual({
      state: 'none',
      inventory: { mailboxes: 40, lastObservedAt: '2026-01-01T09:00:00.000Z' },
    });
  });

  it('takes the newer of the last successful request and the last applied command', async () => {
    const { sut, health } = build({
      connection: true,
      queries: queriesOf({ applied: { 'guid-1': '2026-01-01T10:00:00.000Z' } }),
    });
    health.requestObserved({ tenant: 'GUID-1', cmdlet: 'Get-MobileDevice', outcome: 'ok', durationMs: 3 });

    const status = await sut.of('guid-1');

    expect(status.lastSuccessfulCall).toEqual({
      at: NOW.toISOString(),
      source: 'request',
      what: 'Get-MobileDevice',
    });
  });

  it('reports the newest scan of the tenant with its counts', async () => {
    const scan: ScanStatus = {
      scanId: 's1',
      tenant: 'guid-1',
      state: 'completed',
      devices: 12,
      mailboxes: 6,
      pages: 4,
      startedAt: '2026-01-01T11:00:00.000Z',
      finishedAt: '2026-01-01T11:01:00.000Z',
    };
    const { sut } = build({ connection: true, scans: [scan] });

    const status = await sut.of('contoso.onmicrosoft.com');

    expect(status.discovery).toMatchObject({ state: 'completed', scan });
  });

  it('answers for the name asked when no connection is known, with nothing seen yet', async () => {
    const { sut } = build({ connection: false });

    const status = await sut.of('fabrikam.com');

    expect(status).toEqual({
      tenant: 'fabrikam.com',
      knownAs: ['fabrikam.com'],
      throttling: { active: false, throttledRequests: 0, windowSeconds: 60 },
      circuit: { state: 'closed' },
      discovery: { state: 'none', inventory: { mailboxes: 0 } },
      backlog: { depth: 0, oldestAgeSeconds: 0 },
      observedAt: NOW.toISOString(),
    });
  });
});

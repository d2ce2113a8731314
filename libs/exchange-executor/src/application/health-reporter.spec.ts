import type { ServiceHealthV1 } from '@easgate/contracts';
import type { Logger } from '@easgate/messaging';
import { type HealthPorts, HealthReporter, type TenantBacklog } from './health-reporter';

const silent = { warn: () => undefined } as unknown as Logger;

function build(backlog: TenantBacklog[] = []) {
  const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
  const published: ServiceHealthV1[] = [];
  const ports: HealthPorts & { rows: TenantBacklog[] } = {
    rows: backlog,
    publish: (_key, signal) => {
      published.push(signal);
      return Promise.resolve();
    },
    backlog: () => Promise.resolve(ports.rows),
    now: () => clock.t,
  };
  const sut = new HealthReporter(
    ports,
    { windowSeconds: 60, throttleThreshold: 3, intervalMs: 1000, discoveryIntervalSeconds: 3600 },
    silent,
  );
  return { sut, published, clock, ports };
}

const throttled = { tenant: 't1', cmdlet: 'Set-CASMailbox', outcome: 'EXO_THROTTLED', durationMs: 5 };

describe(HealthReporter.name, () => {
  it('signals sustained throttling once the threshold is reached in the window, and its end', async () => {
    const { sut, published, clock } = build();
    sut.requestObserved(throttled);
    sut.requestObserved({ ...throttled, outcome: 'ok' });
    sut.requestObserved(throttled);
    await sut.stop();
    expect(published).toHaveLength(0);
    sut.requestObserved({ ...throttled, retryAfterSeconds: 2 });
    sut.requestObserved(throttled);
    await sut.stop();
    expect(published).toEqual([
      expect.objectContaining({
        signal: 'throttling',
        tenant: 't1',
        active: true,
        throttledRequests: 3,
        retryAfterSeconds: 2,
      }),
    ]);
    clock.t += 61_000;
    await sut.tick();
    expect(published[1]).toMatchObject({ signal: 'throttling', active: false, throttledRequests: 0 });
  });

  it('forgets throttled responses that fall out of the window', async () => {
    const { sut, published, clock } = build();
    sut.requestObserved(throttled);
    sut.requestObserved(throttled);
    clock.t += 61_000;
    sut.requestObserved(throttled);
    await sut.stop();
    expect(published).toHaveLength(0);
  });

  it('reports the backlog per tenant with the age of its oldest command, then its return to zero', async () => {
    const { sut, published, ports } = build([
      { tenant: 't1', depth: 4, oldestReceivedAt: '2025-12-31T23:59:30.000Z' },
    ]);
    await sut.tick();
    ports.rows = [];
    await sut.tick();
    await sut.tick();
    expect(published).toEqual([
      expect.objectContaining({
        signal: 'backlog',
        tenant: 't1',
        queue: 'exchange-commands',
        depth: 4,
        oldestAgeSeconds: 30,
      }),
      expect.objectContaining({ signal: 'backlog', tenant: 't1', depth: 0, oldestAgeSeconds: 0 }),
    ]);
  });

  it('publishes circuit changes and finished discoveries in the order they happened', async () => {
    const { sut, published } = build();
    sut.circuitChanged('t1', 'open', '5 consecutive failures');
    sut.discoveryCompleted({ tenant: 't1', scanId: 's1', mailboxes: 2, devices: 3 });
    sut.circuitChanged('t1', 'closed');
    await sut.stop();
    expect(published.map((p) => p.signal)).toEqual(['circuit', 'discovery-completed', 'circuit']);
    expect(published[1]).toMatchObject({ scanId: 's1', intervalSeconds: 3600, mailboxes: 2, devices: 3 });
    expect(published[2]).toMatchObject({ state: 'closed' });
  });

  it('tells what it saw of a tenant known by its id or domain: last success, throttling in the window, circuit', async () => {
    const { sut, clock } = build();
    sut.requestObserved({ ...throttled, tenant: 'GUID-1', outcome: 'ok', cmdlet: 'Get-CASMailbox' });
    clock.t += 1000;
    sut.requestObserved({ ...throttled, tenant: 'guid-1', retryAfterSeconds: 4 });
    sut.requestObserved({ ...throttled, tenant: 'contoso.com' });
    sut.requestObserved({ ...throttled, tenant: 'contoso.com' });
    sut.circuitChanged('contoso.com', 'open', '5 consecutive failures');
    await sut.stop();

    const view = sut.tenantView(['guid-1', 'contoso.com']);
    clock.t += 61_000;
    const later = sut.tenantView(['guid-1', 'contoso.com']);

    expect(view).toEqual({
      lastSuccessfulRequest: { at: '2026-01-01T00:00:00.000Z', cmdlet: 'Get-CASMailbox' },
      throttling: { active: true, throttledRequests: 3, windowSeconds: 60, retryAfterSeconds: 4 },
      circuit: { state: 'open', since: '2026-01-01T00:00:01.000Z', reason: '5 consecutive failures' },
    });
    expect(later.throttling.throttledRequests).toBe(0);
    expect(sut.tenantView(['fabrikam.com'])).toEqual({
      throttling: { active: false, throttledRequests: 0, windowSeconds: 60 },
      circuit: { state: 'closed' },
    });
  });
});

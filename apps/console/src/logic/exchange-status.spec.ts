import { type ExchangeStatus, exchangeStatusRows } from './exchange-status';

const NOW = new Date('2026-01-01T12:00:00.000Z');

function aStatus(overrides: Partial<ExchangeStatus> = {}): ExchangeStatus {
  return {
    tenant: 'contoso.onmicrosoft.com',
    knownAs: ['contoso.onmicrosoft.com'],
    throttling: { active: false, throttledRequests: 0, windowSeconds: 60 },
    circuit: { state: 'closed' },
    discovery: { state: 'none', inventory: { mailboxes: 0 } },
    backlog: { depth: 0, oldestAgeSeconds: 0 },
    observedAt: NOW.toISOString(),
    ...overrides,
  };
}

const byKey = (status: ExchangeStatus) =>
  Object.fromEntries(exchangeStatusRows(status, NOW).map((r) => [r.key, r]));

describe(exchangeStatusRows.name, () => {
  it('says plainly that nothing happened yet for a new tenant', () => {
    const rows = byKey(aStatus());

    expect(rows['last-call']).toMatchObject({ text: 'none seen yet', level: 'warning' });
    expect(rows['discovery'].text).toBe('no scan since the executor started');
    expect(rows['inventory'].text).toBe('no mailbox inventoried yet');
    expect(rows['throttling']).toMatchObject({ text: 'not throttled (last 60 s)', level: 'ok' });
    expect(rows['circuit']).toMatchObject({ text: 'Closed: calls go through', level: 'ok' });
    expect(rows['backlog']).toMatchObject({ text: 'no command waiting', level: 'ok' });
  });

  it('shows the last call with its age and what it was, and a finished scan with its counts', () => {
    const rows = byKey(
      aStatus({
        lastSuccessfulCall: { at: '2026-01-01T11:58:00.000Z', source: 'command', what: 'block-device' },
        discovery: {
          state: 'completed',
          scan: {
            scanId: 's1',
            tenant: 'contoso.onmicrosoft.com',
            state: 'completed',
            devices: 1,
            mailboxes: 6,
            pages: 4,
            startedAt: '2026-01-01T11:00:00.000Z',
            finishedAt: '2026-01-01T11:01:00.000Z',
          },
          inventory: { mailboxes: 6, lastObservedAt: '2026-01-01T11:00:30.000Z' },
        },
      }),
    );

    expect(rows['last-call'].text).toBe('2026-01-01 11:58:00 UTC (2 min ago, command block-device)');
    expect(rows['discovery'].text).toBe('Completed 2026-01-01 11:01:00 UTC: 6 mailboxes, 1 device, 4 pages');
    expect(rows['inventory'].text).toBe('6 mailboxes, last observed 2026-01-01 11:00:30 UTC');
  });

  it('colours sustained throttling, an open circuit and an old backlog', () => {
    const rows = byKey(
      aStatus({
        throttling: { active: true, throttledRequests: 4, windowSeconds: 60, retryAfterSeconds: 2 },
        circuit: { state: 'open', since: '2026-01-01T11:59:00.000Z', reason: '5 consecutive failures' },
        backlog: { depth: 3, oldestReceivedAt: '2026-01-01T11:50:00.000Z', oldestAgeSeconds: 600 },
      }),
    );

    expect(rows['throttling']).toMatchObject({
      text: 'Throttled: 4 answers 429 in the last 60 s, Retry-After 2 s',
      level: 'warning',
    });
    expect(rows['circuit']).toMatchObject({
      text: 'Open: calls paused since 2026-01-01 11:59:00 UTC (5 consecutive failures)',
      level: 'critical',
    });
    expect(rows['backlog']).toMatchObject({
      text: '3 commands waiting, the oldest for 10 min',
      level: 'critical',
    });
  });

  it('shows a failed scan with its code', () => {
    const rows = byKey(
      aStatus({
        discovery: {
          state: 'failed',
          scan: {
            scanId: 's2',
            tenant: 't',
            state: 'failed',
            devices: 0,
            mailboxes: 0,
            pages: 0,
            startedAt: '2026-01-01T11:00:00.000Z',
            finishedAt: '2026-01-01T11:00:05.000Z',
            error: { code: 'EXO_MISSING_ROLE', message: 'the app has no Exchange role' },
          },
          inventory: { mailboxes: 0 },
        },
      }),
    );

    expect(rows['discovery']).toMatchObject({
      text: 'Failed 2026-01-01 11:00:05 UTC: EXO_MISSING_ROLE the app has no Exchange role',
      level: 'critical',
    });
  });
});

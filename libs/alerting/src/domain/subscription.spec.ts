import { type Alert, AlertLifecycle, DEFAULT_DAMPING } from './alert';
import { nextAttemptDelayMs, type Subscription, subscriptionMatches } from './subscription';

function aSubscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: 's1',
    tenant: 'contoso',
    name: 'ops',
    kinds: [],
    minSeverity: 'warning',
    destination: { type: 'alertmanager', url: 'http://127.0.0.1:9093' },
    enabled: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function anAlert(overrides: Partial<Alert> = {}): Alert {
  const condition = {
    kind: 'circuit-open',
    tenant: 'contoso',
    labels: {},
    severity: 'critical',
    summary: 's',
    description: '',
    runbook: '',
  } as const;
  return { ...AlertLifecycle.raise(undefined, condition, new Date(), DEFAULT_DAMPING).alert, ...overrides };
}

describe('subscriptionMatches', () => {
  const sut = subscriptionMatches;

  it('matches the tenant, the kinds and the minimum severity', () => {
    expect(sut(aSubscription(), anAlert())).toBe(true);
    expect(sut(aSubscription({ tenant: 'fabrikam' }), anAlert())).toBe(false);
    expect(sut(aSubscription({ tenant: '*' }), anAlert())).toBe(true);
    expect(sut(aSubscription({ kinds: ['backlog'] }), anAlert())).toBe(false);
    expect(sut(aSubscription({ minSeverity: 'critical' }), anAlert({ severity: 'warning' }))).toBe(false);
    expect(sut(aSubscription({ enabled: false }), anAlert())).toBe(false);
  });

  it("never sends a destination's failure alert to that destination", () => {
    expect(
      sut(aSubscription(), anAlert({ kind: 'alert-delivery-failing', labels: { subscriptionId: 's1' } })),
    ).toBe(false);
    expect(
      sut(
        aSubscription({ id: 's2' }),
        anAlert({ kind: 'alert-delivery-failing', labels: { subscriptionId: 's1' } }),
      ),
    ).toBe(true);
  });
});

describe('nextAttemptDelayMs', () => {
  it('doubles from the initial delay up to the maximum', () => {
    const policy = { initialMs: 1000, maxMs: 5000, maxAttempts: 5, alertAfterFailures: 2 };
    expect([1, 2, 3, 4].map((n) => nextAttemptDelayMs(policy, n))).toEqual([1000, 2000, 4000, 5000]);
  });
});

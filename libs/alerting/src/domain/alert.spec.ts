import {
  type Alert,
  type AlertCondition,
  AlertLifecycle,
  type DampingPolicy,
  fingerprintOf,
  toOpsAlert,
} from './alert';
import { OpsAlertV1 } from '@easgate/contracts';

const policy: DampingPolicy = { resolveHoldMs: 60_000, flapWindowMs: 600_000, maxResolveHoldMs: 240_000 };
const t0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);

function aCondition(overrides: Partial<AlertCondition> = {}): AlertCondition {
  return {
    kind: 'certificate-expiring',
    tenant: 'contoso.onmicrosoft.com',
    labels: { certificateId: 'c1' },
    severity: 'info',
    summary: 'expires soon',
    description: 'd',
    runbook: 'rotate',
    ...overrides,
  };
}

function firing(condition = aCondition(), now = at(0)): Alert {
  return AlertLifecycle.raise(undefined, condition, now, policy).alert;
}

describe('fingerprintOf', () => {
  it('is the same whatever the order of the labels', () => {
    const sut = fingerprintOf;
    expect(sut({ kind: 'backlog', tenant: 't', labels: { a: '1', b: '2' } })).toBe(
      sut({ kind: 'backlog', tenant: 't', labels: { b: '2', a: '1' } }),
    );
  });

  it('differs by kind, tenant and label values but not by tenant case', () => {
    const base = { kind: 'backlog', tenant: 'T', labels: { a: '1' } } as const;
    expect(fingerprintOf(base)).not.toBe(fingerprintOf({ ...base, kind: 'dead-letters' }));
    expect(fingerprintOf(base)).not.toBe(fingerprintOf({ ...base, tenant: 'U' }));
    expect(fingerprintOf(base)).not.toBe(fingerprintOf({ ...base, labels: { a: '2' } }));
    expect(fingerprintOf(base)).toBe(fingerprintOf({ ...base, tenant: 't' }));
  });
});

describe('AlertLifecycle', () => {
  const sut = AlertLifecycle;

  it('fires a new alert at revision 1', () => {
    const result = sut.raise(undefined, aCondition(), at(0), policy);
    expect(result.transition).toBe('fired');
    expect(result.alert).toMatchObject({
      status: 'firing',
      revision: 1,
      occurrences: 1,
      startsAt: at(0).toISOString(),
      endsAt: null,
    });
  });

  it('counts a repeated signal on the same alert without publishing', () => {
    const result = sut.raise(firing(), aCondition(), at(1000), policy);
    expect(result.transition).toBeUndefined();
    expect(result.alert).toMatchObject({ revision: 1, occurrences: 2, startsAt: at(0).toISOString() });
  });

  it('escalates when the severity rises and clears an acknowledgement', () => {
    const acknowledged = sut.acknowledge(firing(), 'oncall', at(10));
    const result = sut.raise(acknowledged, aCondition({ severity: 'critical' }), at(1000), policy);
    expect(result.transition).toBe('escalated');
    expect(result.alert).toMatchObject({ severity: 'critical', revision: 2, acknowledgedBy: null });
  });

  it('holds a clear back until the condition stayed clear for the hold', () => {
    const cleared = sut.clear(firing(), at(1000), policy)!;
    expect(cleared.transition).toBeUndefined();
    expect(sut.tick(cleared.alert, at(1000 + 59_999), policy)).toBeUndefined();
    const resolved = sut.tick(cleared.alert, at(1000 + 60_000), policy)!;
    expect(resolved.transition).toBe('resolved');
    expect(resolved.alert).toMatchObject({
      status: 'resolved',
      endsAt: at(61_000).toISOString(),
      revision: 2,
    });
  });

  it('keeps firing without a publish when the condition returns during the hold (flap damped)', () => {
    const cleared = sut.clear(firing(), at(1000), policy)!.alert;
    const back = sut.raise(cleared, aCondition(), at(2000), policy);
    expect(back.transition).toBeUndefined();
    expect(back.alert.clearingSince).toBeNull();
    expect(sut.tick(back.alert, at(200_000), policy)).toBeUndefined();
  });

  it('resolves at once when the hold is zero', () => {
    const result = sut.clear(firing(), at(1000), { ...policy, resolveHoldMs: 0 });
    expect(result?.transition).toBe('resolved');
  });

  it('counts a re-fire soon after a resolve as a flap and doubles the hold, up to the maximum', () => {
    let alert = firing();
    for (let i = 1; i <= 4; i++) {
      const resolved = sut.clear(alert, at(i * 10_000), { ...policy, resolveHoldMs: 0 })!.alert;
      alert = sut.raise(resolved, aCondition(), at(i * 10_000 + 1000), policy).alert;
    }
    expect(alert.flaps).toBe(4);
    const clearing = sut.clear(alert, at(100_000), policy)!.alert;
    expect(sut.tick(clearing, at(100_000 + 239_999), policy)).toBeUndefined();
    expect(sut.tick(clearing, at(100_000 + 240_000), policy)?.transition).toBe('resolved');
  });

  it('does not count a re-fire after the flap window', () => {
    const resolved = sut.clear(firing(), at(0), { ...policy, resolveHoldMs: 0 })!.alert;
    expect(sut.raise(resolved, aCondition(), at(600_000), policy).alert.flaps).toBe(0);
    expect(sut.raise(resolved, aCondition(), at(5000), policy).alert.flaps).toBe(1);
  });

  it('does nothing when clearing an alert that is not firing', () => {
    expect(sut.clear(undefined, at(0), policy)).toBeUndefined();
  });

  it('reports silence only until its end', () => {
    const silenced = sut.silence(firing(), at(60_000));
    expect(sut.isSilenced(silenced, at(59_999))).toBe(true);
    expect(sut.isSilenced(silenced, at(60_000))).toBe(false);
  });

  it('publishes data that satisfies the OpsAlert contract', () => {
    const resolved = sut.clear(firing(), at(1), { ...policy, resolveHoldMs: 0 })!.alert;
    expect(OpsAlertV1.safeParse(toOpsAlert(firing())).success).toBe(true);
    expect(OpsAlertV1.parse(toOpsAlert(resolved)).endsAt).toBe(at(1).toISOString());
  });
});

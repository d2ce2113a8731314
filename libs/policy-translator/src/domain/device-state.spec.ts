import fc from 'fast-check';
import type { MdmComplianceState, MdmComplianceV1 } from '@easgate/contracts';
import { MdmComplianceStates } from '@easgate/contracts';
import { applyCompliance, type ComplianceInput, type DeviceDesiredState, isNewer } from './device-state';
import { decide, defaultRules } from './rules';

function aVerdict(
  overrides: Partial<MdmComplianceV1> = {},
  id = 'e1',
  source = '//mdm.test',
): ComplianceInput {
  return {
    source,
    id,
    data: {
      tenant: 'contoso.onmicrosoft.com',
      userPrincipalName: 'Ada@Contoso.com',
      easDeviceIds: ['EAS1'],
      mdmDeviceId: 'mdm-1',
      platform: 'iOS',
      model: 'iPhone',
      osVersion: '18',
      state: 'compliant',
      reasons: [],
      observedAt: '2026-11-26T10:00:00Z',
      ...overrides,
    },
  };
}

function applied(result: ReturnType<typeof applyCompliance>): DeviceDesiredState {
  if (result.outcome !== 'applied') throw new Error('expected applied');
  return result.next;
}

describe(applyCompliance.name, () => {
  const rules = defaultRules();

  it('maps a compliant verdict to allow and lower-cases tenant and mailbox', () => {
    const sut = applied(applyCompliance(undefined, aVerdict(), rules, 0));
    expect(sut).toMatchObject({
      access: 'allow',
      action: 'none',
      mailbox: 'ada@contoso.com',
      tenant: 'contoso.onmicrosoft.com',
    });
  });

  it('ignores an older sequence even when its observedAt is newer', () => {
    const current = applied(
      applyCompliance(undefined, aVerdict({ sequence: 5, state: 'noncompliant' }), rules, 0),
    );
    const sut = applyCompliance(
      current,
      aVerdict({ sequence: 4, observedAt: '2026-11-27T00:00:00Z' }, 'e2'),
      rules,
      0,
    );
    expect(sut.outcome).toBe('stale');
  });

  it('falls back to observedAt when an event has no sequence', () => {
    const current = applied(applyCompliance(undefined, aVerdict({ state: 'noncompliant' }), rules, 0));
    const older = applyCompliance(current, aVerdict({ observedAt: '2026-11-26T09:00:00Z' }, 'e2'), rules, 0);
    const newer = applyCompliance(current, aVerdict({ observedAt: '2026-11-26T11:00:00Z' }, 'e3'), rules, 0);
    expect([older.outcome, newer.outcome]).toEqual(['stale', 'applied']);
  });

  it('retires the old EAS id when the same MDM device reports a new one', () => {
    const current = applied(applyCompliance(undefined, aVerdict({ sequence: 1 }), rules, 0));
    const sut = applyCompliance(current, aVerdict({ sequence: 2, easDeviceIds: ['EAS2'] }, 'e2'), rules, 0);
    expect(sut).toMatchObject({
      outcome: 'applied',
      retired: ['EAS1'],
      next: { easDeviceIds: ['EAS2'], retiredEasDeviceIds: ['EAS1'] },
    });
  });

  it('keeps the known EAS ids when a newer verdict has none yet', () => {
    const current = applied(applyCompliance(undefined, aVerdict({ sequence: 1 }), rules, 0));
    const sut = applied(
      applyCompliance(
        current,
        aVerdict({ sequence: 2, easDeviceIds: [], state: 'noncompliant' }, 'e2'),
        rules,
        0,
      ),
    );
    expect(sut).toMatchObject({ easDeviceIds: ['EAS1'], retiredEasDeviceIds: [], access: 'block' });
  });

  it('trusts enrolled devices before their first verdict only when the rules say so', () => {
    const trusting = { ...rules, trustEnrolledBeforeVerdict: true };
    expect(applied(applyCompliance(undefined, aVerdict({ state: 'enrolled' }), rules, 0)).access).toBe(
      'quarantine',
    );
    expect(applied(applyCompliance(undefined, aVerdict({ state: 'enrolled' }), trusting, 1)).access).toBe(
      'allow',
    );
  });

  it('assigns the mailbox policy of the policy group', () => {
    const withPolicy = { ...rules, mailboxPolicies: { execs: 'Strict' } };
    const sut = applied(applyCompliance(undefined, aVerdict({ policyGroup: 'execs' }), withPolicy, 1));
    expect(sut.mailboxPolicy).toBe('Strict');
  });
});

describe(isNewer.name, () => {
  it('orders by sequence when both events have one', () => {
    expect(
      isNewer(
        { sequence: 2, observedAt: '2026-01-01T00:00:00Z' },
        { sequence: 1, observedAt: '2026-02-01T00:00:00Z' },
      ),
    ).toBe(true);
  });
});

// The property the issue asks for: whatever the interleaving, duplicates and delays, each device
// ends in the state its newest event decides.
describe('desired state under random interleavings', () => {
  interface Ev {
    device: number;
    order: number;
    state: MdmComplianceState;
    withSequence: boolean;
  }
  const deviceEvents = (device: number) =>
    fc
      .tuple(fc.boolean(), fc.array(fc.constantFrom(...MdmComplianceStates), { minLength: 1, maxLength: 8 }))
      .map(([withSequence, states]) =>
        states.map((state, order): Ev => ({ device, order, state, withSequence })),
      );

  it('ends every device in the state of its newest event', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.tuple(...Array.from({ length: n }, (_, d) => deviceEvents(d))).chain((perDevice) => {
            const all = perDevice.flat();
            // duplicates: any event may be delivered up to three times
            return fc
              .array(fc.integer({ min: 0, max: all.length - 1 }), { maxLength: all.length * 2 })
              .chain((dupes) =>
                fc.shuffledSubarray([...all, ...dupes.map((i) => all[i])], {
                  minLength: all.length + dupes.length,
                }),
              )
              .map((delivered) => ({ perDevice, delivered }));
          }),
        ),
        fc.boolean(),
        ({ perDevice, delivered }, trust) => {
          const rules = { ...defaultRules(), trustEnrolledBeforeVerdict: trust };
          const states = new Map<number, DeviceDesiredState>();
          for (const ev of delivered) {
            // Without a sequence, a later event is observed later (sequence ordering gets the opposite skew).
            const observedAt = new Date(
              Date.UTC(2026, 10, 26, 10, 0, ev.withSequence ? 60 - ev.order : ev.order),
            ).toISOString();
            const input = aVerdict(
              {
                mdmDeviceId: `mdm-${ev.device}`,
                state: ev.state,
                observedAt,
                ...(ev.withSequence && { sequence: ev.order + 1 }),
              },
              `d${ev.device}-e${ev.order}`,
            );
            const result = applyCompliance(states.get(ev.device), input, rules, 0);
            if (result.outcome === 'applied') states.set(ev.device, result.next);
          }
          for (const events of perDevice) {
            const newest = events[events.length - 1];
            const expected = decide(newest.state, undefined, rules);
            const actual = states.get(newest.device)!;
            expect({ state: actual.state, access: actual.access, action: actual.action }).toEqual({
              state: newest.state,
              access: expected.access,
              action: expected.action,
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

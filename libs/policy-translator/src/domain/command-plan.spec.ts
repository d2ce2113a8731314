import fc from 'fast-check';
import { type ExchangeActionV1, MdmComplianceStates } from '@easgate/contracts';
import { planAutoQuarantine, planDevice } from './command-plan';
import type { DeviceDesiredState } from './device-state';
import {
  applyAction,
  applyCommandResult,
  applyInventory,
  emptyView,
  type ExchangeView,
} from './exchange-view';
import { decide, defaultRules } from './rules';

function aDevice(overrides: Partial<DeviceDesiredState> = {}): DeviceDesiredState {
  return {
    tenant: 't.onmicrosoft.com',
    mdmDeviceId: 'mdm-1',
    mailbox: 'ada@contoso.com',
    easDeviceIds: ['EAS1'],
    retiredEasDeviceIds: [],
    state: 'compliant',
    reasons: [],
    platform: 'iOS',
    model: 'iPhone',
    access: 'allow',
    action: 'none',
    rule: 'states.compliant → allow',
    rulesVersion: 0,
    actionIssuedFor: [],
    position: { observedAt: '2026-11-26T10:00:00Z' },
    lastEvent: { source: 's', id: 'e' },
    ...overrides,
  };
}

function aView(overrides: Partial<ExchangeView> = {}): ExchangeView {
  return { ...emptyView('t.onmicrosoft.com', 'ada@contoso.com'), ...overrides };
}

describe(planDevice.name, () => {
  it('allows a compliant device that Exchange does not allow yet', () => {
    const sut = planDevice(aDevice(), aView());
    expect(sut.commands.map((c) => c.action)).toEqual([{ kind: 'allow-device', deviceId: 'EAS1' }]);
  });

  it('sends nothing when Exchange already matches', () => {
    expect(planDevice(aDevice(), aView({ allowedDeviceIds: ['EAS1'] })).commands).toEqual([]);
  });

  it('sends nothing the second time for the same verdict', () => {
    const first = planDevice(aDevice({ access: 'block' }), aView());
    expect(planDevice(first.device, first.view).commands).toEqual([]);
  });

  it('issues a wipe once per verdict', () => {
    const device = aDevice({ state: 'selective-wipe', access: 'block', action: 'account-only-wipe' });
    const first = planDevice(device, aView());
    expect(first.commands.map((c) => c.action.kind)).toEqual(['block-device', 'wipe-device']);
    expect(planDevice(first.device, first.view).commands).toEqual([]);
  });

  it('takes a retired EAS id off the allow list and removes its partnership', () => {
    const view = applyInventory(aView(), {
      tenant: 't.onmicrosoft.com',
      scanId: 's',
      mailbox: 'ada@contoso.com',
      activeSyncEnabled: true,
      allowedDeviceIds: ['OLD'],
      blockedDeviceIds: [],
      mailboxPolicy: null,
      devices: [{ deviceId: 'OLD', accessState: 'Allowed' }],
      observedAt: '2026-11-26T10:00:00Z',
    });
    const sut = planDevice(aDevice({ easDeviceIds: ['NEW'], retiredEasDeviceIds: ['OLD'] }), view);
    expect(sut.commands.map((c) => c.action)).toEqual([
      { kind: 'allow-device', deviceId: 'NEW' },
      { kind: 'quarantine-device', deviceId: 'OLD' },
      { kind: 'remove-device', deviceId: 'OLD' },
    ]);
  });

  it('cancels its own pending wipe, once, when the device is compliant again', () => {
    const view = aView({
      allowedDeviceIds: ['EAS1'],
      devices: { EAS1: { firstSeenAt: '2026-11-26T10:00:00Z', wipePending: true } },
    });
    const first = planDevice(aDevice({ wipesIssued: ['EAS1'] }), view);
    expect(first.commands.map((c) => c.action)).toEqual([{ kind: 'cancel-wipe', deviceId: 'EAS1' }]);
    expect(planDevice(first.device, first.view).commands).toEqual([]);
  });

  it('never cancels a wipe an admin started by hand', () => {
    const view = aView({
      allowedDeviceIds: ['EAS1'],
      devices: { EAS1: { firstSeenAt: '2026-11-26T10:00:00Z', wipePending: true } },
    });
    expect(planDevice(aDevice(), view).commands).toEqual([]);
  });

  it('re-sends after a failure made the state uncertain', () => {
    const sut = planDevice(aDevice(), aView({ allowedDeviceIds: ['EAS1'], uncertainDeviceIds: ['EAS1'] }));
    expect(sut.commands).toHaveLength(1);
  });

  it('converges: once its commands are assumed applied, a plan is empty', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MdmComplianceStates),
        fc.subarray(['A', 'B', 'C']),
        fc.subarray(['A', 'B', 'C']),
        (state, allowed, blocked) => {
          const d = decide(state, undefined, defaultRules());
          const first = planDevice(
            aDevice({ state, access: d.access, action: d.action, easDeviceIds: ['A', 'B'] }),
            aView({ allowedDeviceIds: allowed, blockedDeviceIds: blocked }),
          );
          expect(planDevice(first.device, first.view).commands).toEqual([]);
        },
      ),
    );
  });
});

describe('late results of overtaken commands', () => {
  /** Exchange applies a mailbox's commands in the order they were sent (one partition per mailbox). */
  function exchangeAccess(sent: readonly ExchangeActionV1[], deviceId: string): string {
    const end = sent.reduce(applyAction, aView());
    if (end.blockedDeviceIds.includes(deviceId)) return 'block';
    return end.allowedDeviceIds.includes(deviceId) ? 'allow' : 'quarantine';
  }

  it('ignores the result of an allow that a block overtook, so the next compliant verdict re-allows', () => {
    // compliant (allow sent), noncompliant (block sent), then the allow's result arrives late.
    const allowed = planDevice(aDevice(), aView());
    const blocked = planDevice(aDevice({ state: 'noncompliant', access: 'block' }), allowed.view);
    const sent = [...allowed.commands, ...blocked.commands].map((c) => c.action);
    const view = applyCommandResult(blocked.view, sent[0], 'applied', sent.slice(1));
    const compliantAgain = planDevice(aDevice(), view);
    expect(compliantAgain.commands.map((c) => c.action)).toEqual([
      { kind: 'allow-device', deviceId: 'EAS1' },
    ]);
    expect(exchangeAccess([...sent, ...compliantAgain.commands.map((c) => c.action)], 'EAS1')).toBe('allow');
  });

  it('still applies the result of the newest command, and a failure of it makes the next plan re-send', () => {
    const blocked = planDevice(aDevice({ state: 'noncompliant', access: 'block' }), aView());
    const action = blocked.commands[0].action;
    expect(applyCommandResult(aView(), action, 'applied', []).blockedDeviceIds).toEqual(['EAS1']);
    const failed = applyCommandResult(blocked.view, action, 'failed', []);
    expect(planDevice(blocked.device, failed).commands).toHaveLength(1);
  });

  it('a late failure of an overtaken command changes nothing either', () => {
    const allowed = planDevice(aDevice(), aView());
    const blocked = planDevice(aDevice({ state: 'noncompliant', access: 'block' }), allowed.view);
    const view = applyCommandResult(
      blocked.view,
      allowed.commands[0].action,
      'failed',
      blocked.commands.map((c) => c.action),
    );
    expect(view).toBe(blocked.view);
  });

  it("Exchange ends in the last verdict's access, whatever order results come back in", () => {
    type Step =
      | { kind: 'verdict'; state: (typeof MdmComplianceStates)[number] }
      | { kind: 'result'; pick: number; failed: boolean };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('verdict' as const), state: fc.constantFrom(...MdmComplianceStates) }),
      fc.record({ kind: fc.constant('result' as const), pick: fc.nat(), failed: fc.boolean() }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 30 }),
        fc.constantFrom(...MdmComplianceStates),
        (steps, last) => {
          let view = aView();
          const sent: ExchangeActionV1[] = [];
          const pending: number[] = [];
          const verdict = (state: (typeof MdmComplianceStates)[number]) => {
            const d = decide(state, undefined, defaultRules());
            const plan = planDevice(aDevice({ state, access: d.access }), view);
            view = plan.view;
            for (const c of plan.commands) pending.push(sent.push(c.action) - 1);
            return d.access;
          };
          for (const s of steps) {
            if (s.kind === 'verdict') {
              verdict(s.state);
            } else if (pending.length > 0) {
              const [index] = pending.splice(s.pick % pending.length, 1);
              // A failed command did not change Exchange; here every command is applied and the
              // failure only makes the translator unsure, which must never make it wrong.
              view = applyCommandResult(
                view,
                sent[index],
                s.failed ? 'failed' : 'applied',
                sent.slice(index + 1),
              );
            }
          }
          const expected = verdict(last);
          expect(exchangeAccess(sent, 'EAS1')).toBe(expected);
        },
      ),
    );
  });
});

describe(planAutoQuarantine.name, () => {
  const enabled = { ...defaultRules(), autoQuarantine: { enabled: true, graceMinutes: 10 } };
  const view = aView({
    allowedDeviceIds: ['UNKNOWN'],
    devices: {
      UNKNOWN: { firstSeenAt: '2026-11-26T10:00:00Z', accessState: 'Allowed' },
      KNOWN: { firstSeenAt: '2026-11-26T10:00:00Z', accessState: 'Allowed' },
    },
  });

  it('quarantines a device no MDM reported once the grace period has passed', () => {
    const sut = planAutoQuarantine(view, new Set(['KNOWN']), enabled, new Date('2026-11-26T10:11:00Z'));
    expect(sut.commands.map((c) => c.action)).toEqual([{ kind: 'quarantine-device', deviceId: 'UNKNOWN' }]);
    expect(
      planAutoQuarantine(sut.view, new Set(['KNOWN']), enabled, new Date('2026-11-26T11:00:00Z')).commands,
    ).toEqual([]);
  });

  it('waits for the grace period', () => {
    expect(planAutoQuarantine(view, new Set(), enabled, new Date('2026-11-26T10:05:00Z')).commands).toEqual(
      [],
    );
  });

  it('does nothing unless the tenant enabled it', () => {
    expect(
      planAutoQuarantine(view, new Set(), defaultRules(), new Date('2026-11-27T00:00:00Z')).commands,
    ).toEqual([]);
  });
});

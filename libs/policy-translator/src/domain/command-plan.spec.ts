import fc from 'fast-check';
import { MdmComplianceStates } from '@easgate/contracts';
import { planAutoQuarantine, planDevice } from './command-plan';
import type { DeviceDesiredState } from './device-state';
import { applyInventory, emptyView, type ExchangeView } from './exchange-view';
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

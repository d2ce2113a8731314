import { type DeviceExplanation, exchangeAccessOf, summarizeDevice } from './device-explanation';

function anExplanation(overrides: Partial<DeviceExplanation> = {}): DeviceExplanation {
  return {
    mdmDeviceId: 'mdm-1',
    rule: { matched: 'non-compliant → block', rulesVersion: 1 },
    desired: {
      mailbox: 'alice@contoso.com',
      state: 'non-compliant',
      reasons: ['jailbroken'],
      access: 'block',
    },
    exchange: { devices: [{ deviceId: 'EAS1', onAllowList: false, onBlockList: true, inventory: null }] },
    commands: [
      {
        action: { type: 'block' },
        reason: 'non-compliant',
        createdAt: '2026-12-01T00:00:00.000Z',
        outcome: 'applied',
      },
    ],
    ...overrides,
  };
}

describe(summarizeDevice.name, () => {
  it('shows a device on the block list as blocked, with why and its last command', () => {
    const sut = summarizeDevice(anExplanation());
    expect(sut.exchangeAccess).toBe('Blocked');
    expect(sut.why).toBe(
      'MDM reports non-compliant (jailbroken); rule “non-compliant → block” (rules v1) wants block.',
    );
    expect(sut.lastCommand).toBe('block at 2026-12-01 00:00:00: applied');
  });

  it('falls back on the inventory when the device is on neither list', () => {
    const sut = summarizeDevice(
      anExplanation({
        exchange: {
          devices: [
            {
              deviceId: 'EAS1',
              onAllowList: false,
              onBlockList: false,
              inventory: { accessState: 'Quarantined' },
            },
          ],
        },
        commands: [],
      }),
    );
    expect(sut).toEqual({ exchangeAccess: 'Quarantined', why: expect.any(String) });
  });
});

describe(exchangeAccessOf.name, () => {
  const entry = (
    over: Partial<{ onAllowList: boolean; onBlockList: boolean; accessState: string | null }>,
  ) => ({
    onAllowList: false,
    onBlockList: false,
    accessState: null,
    ...over,
  });

  it('puts the block list before the allow list and the inventory', () => {
    const sut = exchangeAccessOf([
      entry({ onAllowList: true }),
      entry({ onBlockList: true, accessState: 'Allowed' }),
    ]);
    expect(sut).toBe('Blocked');
  });

  it("falls back on Exchange's inventory, then on Unknown", () => {
    expect(exchangeAccessOf([entry({ accessState: 'Quarantined' })])).toBe('Quarantined');
    expect(exchangeAccessOf([entry({})])).toBe('Unknown');
    expect(exchangeAccessOf([])).toBe('Unknown');
  });

  it('names the command by its kind', () => {
    const sut = summarizeDevice(
      anExplanation({
        commands: [{ action: { kind: 'block-device' }, reason: 'x', createdAt: '2026-12-01T00:00:00.000Z' }],
      }),
    );
    expect(sut.lastCommand).toBe('block-device at 2026-12-01 00:00:00: pending');
  });
});

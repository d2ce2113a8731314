import { isWipeOfIntent, wipeOnRecord } from './wipe-status';

const stats = (overrides: Record<string, unknown> = {}) => ({
  DeviceId: 'ApplWIPE0001',
  Status: 'DeviceOk',
  DeviceWipeStatus: null,
  DeviceWipeRequestTime: null,
  DeviceWipeAckTime: null,
  AccountOnlyDeviceWipeRequestTime: null,
  AccountOnlyDeviceWipeAckTime: null,
  ...overrides,
});

describe(wipeOnRecord.name, () => {
  it('finds no wipe on a device Exchange reports as OK', () => {
    expect(wipeOnRecord(stats())).toBeUndefined();
    expect(wipeOnRecord(undefined)).toBeUndefined();
  });

  it('reads a pending full wipe from the status and its request time', () => {
    const sut = wipeOnRecord(
      stats({
        Status: 'DeviceWipePending',
        DeviceWipeStatus: 'PendingWipe',
        DeviceWipeRequestTime: '2026-12-01T00:00:00.000Z',
      }),
    );
    expect(sut).toEqual({ state: 'pending', accountOnly: false, requestedAt: '2026-12-01T00:00:00.000Z' });
  });

  it('reads an acknowledged account-only wipe', () => {
    const sut = wipeOnRecord(
      stats({
        Status: 'DeviceAccountOnlyWipeSucceeded',
        AccountOnlyDeviceWipeRequestTime: '2026-12-01T00:00:00.000Z',
        AccountOnlyDeviceWipeAckTime: '2026-12-01T00:05:00.000Z',
      }),
    );
    expect(sut).toMatchObject({ state: 'acknowledged', accountOnly: true });
  });

  it('trusts any one field when the others are missing (the names are unconfirmed)', () => {
    expect(wipeOnRecord({ DeviceWipeStatus: 'PendingWipe' })).toEqual({
      state: 'pending',
      accountOnly: false,
    });
    expect(wipeOnRecord({ DeviceWipeAckTime: '2026-12-01T00:05:00Z' })?.state).toBe('acknowledged');
  });
});

describe(isWipeOfIntent.name, () => {
  const intentAt = '2026-12-01T01:00:00.000Z';

  it('takes a wipe requested after the intent for the one this command sent', () => {
    expect(
      isWipeOfIntent({ state: 'pending', accountOnly: false, requestedAt: '2026-12-01T01:00:01Z' }, intentAt),
    ).toBe(true);
  });

  it('does not take an old acknowledged wipe for this one', () => {
    expect(
      isWipeOfIntent(
        { state: 'acknowledged', accountOnly: false, requestedAt: '2026-11-20T00:00:00Z' },
        intentAt,
      ),
    ).toBe(false);
  });

  it('assumes a wipe of unknown time is this one (a second wipe is the harm to avoid)', () => {
    expect(isWipeOfIntent({ state: 'pending', accountOnly: false }, intentAt)).toBe(true);
  });
});

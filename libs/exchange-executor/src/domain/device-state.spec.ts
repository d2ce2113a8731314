import { deviceState } from './device-state';

describe('deviceState wipe fields', () => {
  it('reports a wipe the device acknowledged, from the statistics fields', () => {
    const sut = deviceState({
      DeviceId: 'ApplWIPE0001',
      DeviceAccessState: 'Blocked',
      Status: 'DeviceWipeSucceeded',
      DeviceWipeRequestTime: '2026-12-01T00:00:00.000Z',
      DeviceWipeAckTime: '2026-12-01T00:10:00.000Z',
    });
    expect(sut).toMatchObject({ wipePending: false, wipeAcknowledgedAt: '2026-12-01T00:10:00.000Z' });
  });

  it('says nothing of a wipe when the object has no wipe fields (Get-MobileDevice)', () => {
    const sut = deviceState({ DeviceId: 'ApplWIPE0001', DeviceAccessState: 'Allowed' });
    expect(sut).not.toHaveProperty('wipePending');
  });
});

describe(deviceState.name, () => {
  it('describes a Get-MobileDevice object with its access state and reason', () => {
    const sut = deviceState({
      DeviceId: 'ApplF17XK0001',
      DeviceAccessState: 'Blocked',
      DeviceAccessStateReason: 'Individual',
      DeviceModel: 'iPhone15,2',
      DeviceOS: '',
    });
    expect(sut).toEqual({
      deviceId: 'ApplF17XK0001',
      accessState: 'Blocked',
      accessStateReason: 'Individual',
      deviceModel: 'iPhone15,2',
    });
  });

  it('reports an undocumented access state as still being decided, and ignores objects without a DeviceId', () => {
    expect(deviceState({ DeviceId: 'x', DeviceAccessState: 'Unknown' })?.accessState).toBe('DeviceDiscovery');
    expect(deviceState({ DeviceAccessState: 'Allowed' })).toBeUndefined();
  });
});

import { deviceState } from './device-state';

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

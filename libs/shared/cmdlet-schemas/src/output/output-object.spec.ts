import { MobileDeviceOutput } from '../schema/output-types';
import { type CmdletOutput, type MobileDeviceObject, projectOutputObject } from './output-object';

describe(projectOutputObject.name, () => {
  const sut = projectOutputObject;

  it('orders fields like the output type, fills missing ones and converts dates to ISO-8601', () => {
    const result = sut(MobileDeviceOutput, {
      deviceid: 'ApplX',
      DeviceAccessState: 'Allowed',
      FirstSyncTime: new Date('2026-02-01T00:00:00Z'),
      internalOnly: 'x',
    });

    expect(Object.keys(result)).toEqual(MobileDeviceOutput.fields.map((f) => f.name));
    expect(result).toMatchObject({
      DeviceId: 'ApplX',
      DeviceAccessState: 'Allowed',
      FirstSyncTime: '2026-02-01T00:00:00.000Z',
      DeviceModel: null,
    });
    expect(result).not.toHaveProperty('internalOnly');
  });

  it('keeps only the $select fields, case-insensitively', () => {
    const result = sut(MobileDeviceOutput, { DeviceId: 'A', DeviceType: 'iPhone' }, [
      'deviceid',
      ' DeviceType',
      'Bogus',
    ]);

    expect(result).toEqual({ DeviceType: 'iPhone', DeviceId: 'A' });
  });

  it('gives typed objects for each cmdlet output', () => {
    const device: Partial<MobileDeviceObject> = {
      DeviceAccessState: 'Quarantined',
      DeviceAccessStateReason: 'Global',
    };
    const cas: Partial<CmdletOutput<'Get-CASMailbox'>> = { ActiveSyncAllowedDeviceIDs: ['A'] };
    // @ts-expect-error -- not a DeviceAccessState
    const wrong: Partial<MobileDeviceObject> = { DeviceAccessState: 'Open' };

    expect([device, cas, wrong]).toHaveLength(3);
  });
});

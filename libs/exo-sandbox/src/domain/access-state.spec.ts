import { AccessRuleBook, type DeviceFacts, type MailboxFacts, decideAccess } from './access-state';

const device = (o: Partial<DeviceFacts> = {}): DeviceFacts => ({
  deviceId: 'ApplABC',
  deviceModel: 'iPhone15C2',
  deviceType: 'iPhone',
  deviceOS: 'iOS 17',
  deviceUserAgent: 'Apple-iPhone15C2/2105.90',
  provisionable: true,
  inDiscovery: false,
  ...o,
});
const mailbox = (o: Partial<MailboxFacts> = {}): MailboxFacts => ({
  activeSyncEnabled: true,
  blockedDeviceIds: new Set(),
  allowedDeviceIds: new Set(),
  allowNonProvisionableDevices: true,
  ...o,
});

describe(decideAccess.name, () => {
  it('prefers Block over Quarantine over Allow when several rules match', () => {
    const rules = new AccessRuleBook();
    rules.add({ name: 'a', queryString: 'iPhone', characteristic: 'DeviceType', accessLevel: 'Allow' });
    rules.add({ name: 'q', queryString: 'IOS 17', characteristic: 'DeviceOS', accessLevel: 'Quarantine' });
    expect(decideAccess(device(), mailbox(), rules, 'Allow')).toEqual({
      state: 'Quarantined',
      reason: 'DeviceRule',
      rule: 'q',
    });
    rules.add({ name: 'b', queryString: 'iphone15c2', characteristic: 'DeviceModel', accessLevel: 'Block' });
    expect(decideAccess(device(), mailbox(), rules, 'Allow')).toEqual({
      state: 'Blocked',
      reason: 'DeviceRule',
      rule: 'b',
    });
  });

  it('lets personal lists override rules and blocks non-provisionable devices by policy first', () => {
    const rules = new AccessRuleBook();
    rules.add({ name: 'b', queryString: 'iPhone', characteristic: 'DeviceType', accessLevel: 'Block' });
    expect(
      decideAccess(device(), mailbox({ allowedDeviceIds: new Set(['applabc']) }), rules, 'Allow').state,
    ).toBe('Allowed');
    expect(
      decideAccess(
        device({ provisionable: false }),
        mailbox({ allowedDeviceIds: new Set(['applabc']), allowNonProvisionableDevices: false }),
        rules,
        'Allow',
      ),
    ).toEqual({ state: 'Blocked', reason: 'Policy', rule: undefined });
  });

  it('reports DeviceDiscovery for a device still being discovered, and the default level after', () => {
    const rules = new AccessRuleBook();
    expect(decideAccess(device({ inDiscovery: true }), mailbox(), rules, 'Block').state).toBe(
      'DeviceDiscovery',
    );
    expect(decideAccess(device(), mailbox(), rules, 'Block')).toEqual({
      state: 'Blocked',
      reason: 'Global',
      rule: undefined,
    });
  });
});

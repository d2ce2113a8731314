import { generateKeyPairSync } from 'node:crypto';
import { defaultKnobs, Sandbox } from './sandbox';

function buildSandbox() {
  return new Sandbox({
    tenantId: '9188040d-6c67-4c5b-b112-36a304b66dad',
    organization: 'contoso.onmicrosoft.com',
    displayName: 'Contoso',
    seed: 1,
    mailboxes: 0,
    devices: 0,
    knobs: defaultKnobs,
    signingKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  });
}

describe(Sandbox.name, () => {
  it('lists the devices of one mailbox with their access state and mailbox', () => {
    const sut = buildSandbox();
    sut.addMailbox({ alias: 'alice' });
    sut.addMailbox({ alias: 'bob' });
    sut.connectDevice({ mailbox: 'alice', deviceId: 'DEVA1', deviceType: 'iPhone' });
    sut.connectDevice({ mailbox: 'bob', deviceId: 'DEVB1', deviceType: 'iPhone' });

    const devices = sut.listDevices('alice@contoso.onmicrosoft.com');

    expect(devices).toEqual([
      expect.objectContaining({
        DeviceId: 'DEVA1',
        Mailbox: 'alice@contoso.onmicrosoft.com',
        DeviceAccessState: 'DeviceDiscovery',
        Status: 'DeviceOk',
      }),
    ]);
  });

  it('lists every device of every mailbox without a mailbox', () => {
    const sut = buildSandbox();
    sut.addMailbox({ alias: 'alice' });
    sut.addMailbox({ alias: 'bob' });
    sut.connectDevice({ mailbox: 'alice', deviceId: 'DEVA1', deviceType: 'iPhone' });
    sut.connectDevice({ mailbox: 'bob', deviceId: 'DEVB1', deviceType: 'iPhone' });

    expect(sut.listDevices().map((d) => d['DeviceId'])).toEqual(['DEVA1', 'DEVB1']);
  });

  it('refuses to list the devices of an unknown mailbox', () => {
    const sut = buildSandbox();

    expect(() => sut.listDevices('nobody')).toThrow(/no mailbox nobody/);
  });
});

import {
  classifyRecipientIdentity,
  formatDeviceAccessRuleName,
  formatMobileDeviceDn,
  formatMobileDeviceIdentity,
  isValidDeviceId,
  normalizeGuid,
  parseMobileDeviceIdentity,
  parseMobileDeviceName,
} from './mobile-device-identity';

describe(formatMobileDeviceIdentity.name, () => {
  it('joins mailbox, container and <Type>§<DeviceId> with backslashes', () => {
    const sut = formatMobileDeviceIdentity({
      mailbox: 'CarlosM',
      deviceType: 'iPhone',
      deviceId: 'ApplF17XXXXXXXXX',
    });

    expect(sut).toBe('CarlosM\\ExchangeActiveSyncDevices\\iPhone\u00a7ApplF17XXXXXXXXX');
  });

  it('encodes § as the two UTF-8 bytes C2 A7', () => {
    const sut = formatMobileDeviceIdentity({ mailbox: 'a', deviceType: 'T', deviceId: '1' });

    expect(Buffer.from(JSON.stringify(sut), 'utf8').includes(Buffer.from([0xc2, 0xa7]))).toBe(true);
  });
});

describe(parseMobileDeviceIdentity.name, () => {
  const sut = parseMobileDeviceIdentity;

  it('parses the documented REST example, keeping REST§Outlook as the type', () => {
    expect(sut('CarlosM\\ExchangeActiveSyncDevices\\REST§Outlook§5eec4e941e0748a264512fd83770d5ac')).toEqual({
      kind: 'path',
      mailbox: 'CarlosM',
      deviceType: 'REST§Outlook',
      deviceId: '5eec4e941e0748a264512fd83770d5ac',
    });
  });

  it('round-trips a path identity whose mailbox is a UPN', () => {
    const parts = { mailbox: 'user@contoso.com', deviceType: 'Android', deviceId: 'androidc123' };

    expect(sut(formatMobileDeviceIdentity(parts))).toEqual({ kind: 'path', ...parts });
  });

  it('matches the container name case-insensitively', () => {
    expect(sut('u\\exchangeactivesyncdevices\\iPad§X1')).toMatchObject({ kind: 'path', deviceType: 'iPad' });
  });

  it('parses a GUID with or without braces', () => {
    expect(sut('{6F9619FF-8B86-D011-B42D-00C04FC964FF}')).toEqual({
      kind: 'guid',
      guid: '6f9619ff-8b86-d011-b42d-00c04fc964ff',
    });
  });

  it('parses a distinguished name, honouring escaped commas', () => {
    const dn = formatMobileDeviceDn({
      deviceType: 'iPhone',
      deviceId: 'ApplX',
      mailboxCn: 'Smith, John',
      parentDn:
        'OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM',
    });

    expect(dn.startsWith('CN=iPhone§ApplX,CN=ExchangeActiveSyncDevices,CN=Smith\\, John,OU=contoso')).toBe(
      true,
    );
    expect(sut(dn)).toEqual({
      kind: 'dn',
      dn,
      mailboxCn: 'Smith, John',
      deviceType: 'iPhone',
      deviceId: 'ApplX',
    });
  });

  it.each([
    '',
    'justaname',
    'u\\ExchangeActiveSyncDevices\\NoSeparator',
    'u\\ExchangeActiveSyncDevices\\T§',
    'CN=x,CN=Users,DC=a',
  ])('returns undefined for %p', (text) => {
    expect(sut(text)).toBeUndefined();
  });
});

describe(parseMobileDeviceName.name, () => {
  it('splits at the last §', () => {
    expect(parseMobileDeviceName('iPhone§ApplX')).toEqual({ deviceType: 'iPhone', deviceId: 'ApplX' });
  });
});

describe(classifyRecipientIdentity.name, () => {
  it.each([
    ['3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'guid'],
    ['CN=John,OU=contoso.onmicrosoft.com,DC=x', 'dn'],
    ['john@contoso.com', 'smtp'],
    ['John Smith', 'name'],
    ['jsmith', 'name'],
  ])('classifies %p as %p', (identity, kind) => {
    expect(classifyRecipientIdentity(identity)).toBe(kind);
  });
});

describe(normalizeGuid.name, () => {
  it('returns undefined for a non-GUID', () => {
    expect(normalizeGuid('not-a-guid')).toBeUndefined();
  });
});

describe(isValidDeviceId.name, () => {
  it('accepts alphanumerics up to 255, or 32 when strict', () => {
    expect(isValidDeviceId('ApplF17XXXXXXXXX')).toBe(true);
    expect(isValidDeviceId('a'.repeat(40))).toBe(true);
    expect(isValidDeviceId('a'.repeat(40), { strict: true })).toBe(false);
    expect(isValidDeviceId('a'.repeat(256))).toBe(false);
    expect(isValidDeviceId('')).toBe(false);
    expect(isValidDeviceId('has space')).toBe(false);
  });
});

describe(formatDeviceAccessRuleName.name, () => {
  it('names a rule <QueryString> (<Characteristic>)', () => {
    expect(formatDeviceAccessRuleName('iPhone', 'DeviceType')).toBe('iPhone (DeviceType)');
  });
});

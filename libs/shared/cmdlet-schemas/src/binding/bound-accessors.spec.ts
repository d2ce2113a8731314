import {
  boundBool,
  boundEnumList,
  boundInt,
  boundListUpdate,
  boundResultSize,
  boundString,
  boundSwitch,
  hasBoundParameter,
} from './bound-accessors';
import { bindServerParameters } from './parameter-binder';

function bind(cmdlet: string, parameters: Record<string, unknown>) {
  const result = bindServerParameters(cmdlet, parameters);
  if (!result.ok) throw new Error(result.errors[0].message);
  return result.value;
}

describe(boundString.name, () => {
  it('reads strings, null for a cleared value and undefined when absent', () => {
    const sut = bind('Set-CASMailbox', { identity: 'u', ActiveSyncMailboxPolicy: null });

    expect([
      boundString(sut, 'Identity'),
      boundString(sut, 'ActiveSyncMailboxPolicy'),
      boundString(sut, 'Nope'),
    ]).toEqual(['u', null, undefined]);
    expect(hasBoundParameter(sut, 'ActiveSyncMailboxPolicy')).toBe(true);
    expect(hasBoundParameter(sut, 'ActiveSyncEnabled')).toBe(false);
  });
});

describe(boundSwitch.name, () => {
  it('is true only for a switch given as true', () => {
    const sut = bind('Clear-MobileDevice', { Identity: 'x', AccountOnly: 'true', Confirm: false });

    expect([
      boundSwitch(sut, 'AccountOnly'),
      boundSwitch(sut, 'Confirm'),
      boundSwitch(sut, 'Cancel'),
    ]).toEqual([true, false, false]);
  });
});

describe(boundListUpdate.name, () => {
  it('reads typed values of every kind', () => {
    const sut = bind('Set-CASMailbox', {
      Identity: 'u',
      ActiveSyncEnabled: false,
      ActiveSyncBlockedDeviceIDs: { '@odata.type': '#Exchange.GenericHashTable', Add: 'D' },
    });
    const policy = bind('Set-MobileDeviceMailboxPolicy', { Identity: 'p', MinPasswordLength: 6 });
    const mailbox = bind('Get-Mailbox', { RecipientTypeDetails: 'UserMailbox', ResultSize: 'Unlimited' });

    expect(boundListUpdate(sut, 'ActiveSyncBlockedDeviceIDs')).toEqual({
      op: 'update',
      add: ['D'],
      remove: [],
    });
    expect(boundBool(sut, 'ActiveSyncEnabled')).toBe(false);
    expect(boundInt(policy, 'MinPasswordLength')).toBe(6);
    expect(boundEnumList(mailbox, 'RecipientTypeDetails')).toEqual(['UserMailbox']);
    expect(boundResultSize(mailbox)).toBe('Unlimited');
  });
});

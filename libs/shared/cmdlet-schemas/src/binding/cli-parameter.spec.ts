import { parseCliParameterAssignment } from './cli-parameter';

describe(parseCliParameterAssignment.name, () => {
  const sut = parseCliParameterAssignment;

  it('keeps a plain value as text', () => {
    expect(sut('Identity=user@contoso.com')).toEqual({ name: 'Identity', value: 'user@contoso.com' });
    expect(sut('ActiveSyncEnabled=false')).toEqual({ name: 'ActiveSyncEnabled', value: 'false' });
  });

  it('splits at the first = only', () => {
    expect(sut("Filter=Name -eq 'a=b'")).toEqual({ name: 'Filter', value: "Name -eq 'a=b'" });
  });

  it('parses JSON objects and arrays', () => {
    expect(sut('ActiveSyncBlockedDeviceIDs={"Add":["A1"]}')).toEqual({
      name: 'ActiveSyncBlockedDeviceIDs',
      value: { Add: ['A1'] },
    });
    expect(sut('ActiveSyncAllowedDeviceIDs=["A","B"]')).toEqual({
      name: 'ActiveSyncAllowedDeviceIDs',
      value: ['A', 'B'],
    });
  });

  it('keeps text that only looks like JSON', () => {
    expect(sut('UserMailInsert={not json')).toEqual({ name: 'UserMailInsert', value: '{not json' });
  });

  it('reads $null as null', () => {
    expect(sut('ActiveSyncMailboxPolicy=$null')).toEqual({ name: 'ActiveSyncMailboxPolicy', value: null });
  });

  it('accepts a leading dash on the name and refuses a missing name or =', () => {
    expect(sut('-Identity=x')).toEqual({ name: 'Identity', value: 'x' });
    expect(sut('=x')).toBeUndefined();
    expect(sut('Identity')).toBeUndefined();
  });
});

import { bindServerParameters } from '@easgate/cmdlet-schemas';
import { CmdletExecutor, MoreResultsWarning, type CmdletOutcome, type PageRequest } from './cmdlet-executor';
import { ExchangeStore } from './exchange-store';
import { emptyCas, seedExchange } from './seed';

const now = Date.UTC(2026, 5, 1);

function buildStore(options: { mailboxes?: number; devices?: number } = {}) {
  const store = new ExchangeStore('contoso.onmicrosoft.com', 'tid', {
    guid: 'settings',
    defaultAccessLevel: 'Allow',
    adminMailRecipients: [],
    userMailInsert: '',
    otaNotificationMailInsert: '',
    allowAccessForUnSupportedPlatform: true,
    enableMobileMailboxPolicyWhenCAInplace: false,
    tenantAdminPreference: 'None',
    whenChanged: new Date(now),
  });
  seedExchange(store, {
    seed: 7,
    mailboxes: options.mailboxes ?? 0,
    devices: options.devices ?? 0,
    nowMs: now,
    discoveryMs: 0,
  });
  return store;
}

function addUserWithDevice(
  store: ExchangeStore,
  overrides: { deviceModel?: string; deviceType?: string; discoveryUntil?: number } = {},
) {
  const at = new Date(now);
  const mailbox = store.addMailbox({
    guid: 'a0000000-0000-4000-8000-000000000001',
    exchangeGuid: 'a0000000-0000-4000-8000-000000000002',
    externalDirectoryObjectId: 'a0000000-0000-4000-8000-000000000003',
    name: 'megan',
    alias: 'megan',
    displayName: 'Megan',
    userPrincipalName: 'megan@contoso.onmicrosoft.com',
    primarySmtpAddress: 'megan@contoso.onmicrosoft.com',
    recipientTypeDetails: 'UserMailbox',
    whenCreated: at,
    whenChanged: at,
    cas: emptyCas(),
  });
  const device = store.addDevice({
    guid: 'd0000000-0000-4000-8000-000000000001',
    mailboxSeq: mailbox.seq,
    deviceId: 'ApplF17XXXXXXXXX',
    deviceType: overrides.deviceType ?? 'iPhone',
    deviceModel: overrides.deviceModel ?? 'iPhone15C2',
    deviceOS: 'iOS 17',
    deviceOSLanguage: 'en-US',
    deviceUserAgent: 'Apple-iPhone15C2/2105.90',
    friendlyName: '',
    deviceImei: '',
    deviceMobileOperator: '',
    deviceTelephoneNumber: '',
    deviceActiveSyncVersion: '16.1',
    clientType: 'EAS',
    clientVersion: '16.1',
    provisionable: true,
    firstSyncTime: at,
    lastSuccessSync: undefined,
    lastSyncAttemptTime: at,
    discoveryUntil: overrides.discoveryUntil ?? 0,
    wipe: undefined,
    whenCreated: at,
    whenChanged: at,
  });
  return { mailbox, device, identity: 'megan\\ExchangeActiveSyncDevices\\iPhone§ApplF17XXXXXXXXX' };
}

function run(
  sut: CmdletExecutor,
  cmdlet: string,
  parameters: Record<string, unknown>,
  page: Partial<PageRequest> = {},
): CmdletOutcome {
  const bound = bindServerParameters(cmdlet, parameters);
  if (!bound.ok) throw new Error(bound.errors[0].message);
  return sut.execute(
    bound.value,
    { afterSeq: 0, returned: 0, pageSize: undefined, ...page },
    { nowMs: now, appId: 'app', organizationDisplayName: 'Contoso' },
  );
}

function stateOf(sut: CmdletExecutor, identity: string) {
  const outcome = run(sut, 'Get-MobileDevice', { Identity: identity });
  if (!outcome.ok) throw new Error(outcome.failure.text);
  const v = outcome.values[0];
  return [v.DeviceAccessState, v.DeviceAccessStateReason, v.DeviceAccessControlRule];
}

describe(CmdletExecutor.name, () => {
  it('allows a device through the personal allow list (GenericHashTable Add) with reason Individual', () => {
    const store = buildStore();
    const { identity } = addUserWithDevice(store);
    const sut = new CmdletExecutor(store);
    run(sut, 'Set-CASMailbox', {
      Identity: 'megan@contoso.onmicrosoft.com',
      ActiveSyncAllowedDeviceIDs: { '@odata.type': '#Exchange.GenericHashTable', add: 'applf17xxxxxxxxx' },
    });
    expect(stateOf(sut, identity)).toEqual(['Allowed', 'Individual', null]);
  });

  it('lets the personal block list beat the allow list', () => {
    const store = buildStore();
    const { identity } = addUserWithDevice(store);
    const sut = new CmdletExecutor(store);
    run(sut, 'Set-CASMailbox', {
      Identity: 'megan',
      ActiveSyncAllowedDeviceIDs: ['ApplF17XXXXXXXXX'],
      ActiveSyncBlockedDeviceIDs: ['ApplF17XXXXXXXXX'],
    });
    expect(stateOf(sut, identity)).toEqual(['Blocked', 'Individual', null]);
    run(sut, 'Set-CASMailbox', { Identity: 'megan', ActiveSyncBlockedDeviceIDs: null });
    expect(stateOf(sut, identity)).toEqual(['Allowed', 'Individual', null]);
  });

  it('quarantines by device rule and releases the device when the rule becomes Allow', () => {
    const store = buildStore();
    const { identity } = addUserWithDevice(store);
    const sut = new CmdletExecutor(store);
    run(sut, 'New-ActiveSyncDeviceAccessRule', {
      QueryString: 'iphone15c2',
      Characteristic: 'devicemodel',
      AccessLevel: 'quarantine',
    });
    expect(stateOf(sut, identity)).toEqual(['Quarantined', 'DeviceRule', 'iphone15c2 (DeviceModel)']);
    run(sut, 'Set-ActiveSyncDeviceAccessRule', {
      Identity: 'iphone15c2 (DeviceModel)',
      AccessLevel: 'Allow',
    });
    expect(stateOf(sut, identity)).toEqual(['Allowed', 'DeviceRule', 'iphone15c2 (DeviceModel)']);
  });

  it('re-evaluates devices not covered by lists or rules when DefaultAccessLevel changes', () => {
    const store = buildStore();
    const { identity } = addUserWithDevice(store);
    const sut = new CmdletExecutor(store);
    expect(stateOf(sut, identity)).toEqual(['Allowed', 'Global', null]);
    run(sut, 'Set-ActiveSyncOrganizationSettings', { DefaultAccessLevel: 'Quarantine' });
    expect(stateOf(sut, identity)).toEqual(['Quarantined', 'Global', null]);
  });

  it('keeps a new device in DeviceDiscovery until the personal list decides', () => {
    const store = buildStore();
    const { identity } = addUserWithDevice(store, { discoveryUntil: now + 60_000 });
    const sut = new CmdletExecutor(store);
    expect(stateOf(sut, identity)[0]).toBe('DeviceDiscovery');
    run(sut, 'Set-CASMailbox', {
      Identity: 'megan',
      ActiveSyncBlockedDeviceIDs: { '@odata.type': '#Exchange.GenericHashTable', Add: ['ApplF17XXXXXXXXX'] },
    });
    expect(stateOf(sut, identity)).toEqual(['Blocked', 'Individual', null]);
  });

  it('blocks with reason Policy when ActiveSync is disabled for the mailbox', () => {
    const store = buildStore();
    const { identity } = addUserWithDevice(store);
    const sut = new CmdletExecutor(store);
    run(sut, 'Set-CASMailbox', { Identity: 'megan', ActiveSyncEnabled: false });
    expect(stateOf(sut, identity)).toEqual(['Blocked', 'Policy', null]);
  });

  it('records a pending account-only wipe, cancels it, and removes the partnership', () => {
    const store = buildStore();
    const { identity } = addUserWithDevice(store);
    const sut = new CmdletExecutor(store);
    run(sut, 'Clear-MobileDevice', { Identity: identity, AccountOnly: true, Confirm: false });
    let stats = run(sut, 'Get-MobileDeviceStatistics', { Identity: identity });
    expect(stats.ok && stats.values[0]).toMatchObject({
      Status: 'DeviceAccountOnlyWipePending',
      LastDeviceWipeRequestor: 'app',
    });
    run(sut, 'Clear-MobileDevice', { Identity: identity, Cancel: true });
    stats = run(sut, 'Get-MobileDeviceStatistics', { Identity: identity });
    expect(stats.ok && stats.values[0]).toMatchObject({ Status: 'DeviceOk' });
    expect(run(sut, 'Remove-MobileDevice', { Identity: identity, Confirm: false }).ok).toBe(true);
    const gone = run(sut, 'Get-MobileDevice', { Identity: identity });
    expect(!gone.ok && gone.failure.detail).toMatch(
      /^Ex6F9304\|Microsoft\.Exchange\.Configuration\.Tasks\.ManagementObjectNotFoundException\|The operation couldn't be performed because object '.*' couldn't be found on '.*'\.$/,
    );
  });

  it('refuses to remove a mobile device mailbox policy while a mailbox is assigned to it', () => {
    const store = buildStore();
    addUserWithDevice(store);
    const sut = new CmdletExecutor(store);
    run(sut, 'New-MobileDeviceMailboxPolicy', { Name: 'Fleet' });
    run(sut, 'Set-CASMailbox', { Identity: 'megan', ActiveSyncMailboxPolicy: 'Fleet' });
    expect(run(sut, 'Remove-MobileDeviceMailboxPolicy', { Identity: 'Fleet' }).ok).toBe(false);
    run(sut, 'Set-CASMailbox', { Identity: 'megan', ActiveSyncMailboxPolicy: null });
    const cas = run(sut, 'Get-CASMailbox', { Identity: 'megan' });
    expect(cas.ok && cas.values[0]).toMatchObject({
      ActiveSyncMailboxPolicy: 'Default',
      ActiveSyncMailboxPolicyIsDefaulted: true,
    });
    expect(run(sut, 'Remove-MobileDeviceMailboxPolicy', { Identity: 'Fleet' }).ok).toBe(true);
  });

  it('keeps IsDefault exclusive', () => {
    const sut = new CmdletExecutor(buildStore());
    run(sut, 'New-MobileDeviceMailboxPolicy', { Name: 'Fleet', IsDefault: true });
    const all = run(sut, 'Get-MobileDeviceMailboxPolicy', {});
    expect(all.ok && all.values.filter((p) => p.IsDefault).map((p) => p.Name)).toEqual(['Fleet']);
  });

  it('pages every device exactly once with cursors, and warns when ResultSize cuts the result', () => {
    const store = buildStore({ mailboxes: 30, devices: 95 });
    const sut = new CmdletExecutor(store);
    const seen: string[] = [];
    let page: Partial<PageRequest> = { pageSize: 10 };
    for (;;) {
      const outcome = run(sut, 'Get-MobileDevice', { ResultSize: 'Unlimited' }, page);
      if (!outcome.ok) throw new Error(outcome.failure.text);
      seen.push(...outcome.values.map((v) => String(v.Guid)));
      if (!outcome.next) break;
      page = { pageSize: 10, afterSeq: outcome.next.afterSeq, returned: outcome.next.returned };
    }
    expect(seen).toHaveLength(95);
    expect(new Set(seen).size).toBe(95);
    const capped = run(sut, 'Get-MobileDevice', { ResultSize: 20 });
    expect(capped.ok && [capped.values.length, capped.warnings, capped.next]).toEqual([
      20,
      [MoreResultsWarning],
      undefined,
    ]);
  });

  it('filters devices with OPATH on the evaluated access state', () => {
    const store = buildStore({ mailboxes: 50, devices: 200 });
    const sut = new CmdletExecutor(store);
    const blocked = run(sut, 'Get-MobileDevice', {
      Filter: "DeviceAccessState -eq 'Blocked'",
      ResultSize: 'Unlimited',
    });
    expect(blocked.ok && blocked.values.length).toBeGreaterThan(0);
    expect(blocked.ok && blocked.values.every((v) => v.DeviceAccessState === 'Blocked')).toBe(true);
  });
});

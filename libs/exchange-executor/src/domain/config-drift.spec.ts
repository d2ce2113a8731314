import { configSettings, diffConfig } from './config-drift';

describe(diffConfig.name, () => {
  it('reports added, removed and changed objects with only the differing settings', () => {
    const sut = diffConfig(
      [
        {
          section: 'organization-settings',
          identity: 'Mobile Mailbox Settings',
          settings: { DefaultAccessLevel: 'Allow', UserMailInsert: 'x' },
        },
        { section: 'device-access-rules', identity: 'Old (DeviceModel)', settings: { AccessLevel: 'Block' } },
      ],
      [
        {
          section: 'organization-settings',
          identity: 'mobile mailbox settings',
          settings: { DefaultAccessLevel: 'Quarantine', UserMailInsert: 'x' },
        },
        { section: 'device-access-rules', identity: 'New (DeviceOS)', settings: { AccessLevel: 'Allow' } },
      ],
    );
    expect(sut).toEqual([
      {
        section: 'organization-settings',
        change: 'changed',
        identity: 'mobile mailbox settings',
        before: { DefaultAccessLevel: 'Allow' },
        after: { DefaultAccessLevel: 'Quarantine' },
      },
      {
        section: 'device-access-rules',
        change: 'added',
        identity: 'New (DeviceOS)',
        after: { AccessLevel: 'Allow' },
      },
      {
        section: 'device-access-rules',
        change: 'removed',
        identity: 'Old (DeviceModel)',
        before: { AccessLevel: 'Block' },
      },
    ]);
  });

  it('ignores fields that change on their own', () => {
    expect(
      configSettings({ Name: 'Default', WhenChanged: '2026-01-01', Guid: 'g', IsDefault: true }),
    ).toEqual({ Name: 'Default', IsDefault: true });
  });
});

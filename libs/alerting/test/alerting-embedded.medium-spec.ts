import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCloudEvent,
  encodeStructured,
  type ExchangeConfigDriftV1,
  ExchangeEventTypes,
  OpsAlertV1,
  Topics,
} from '@easgate/contracts';
import { InProcessBus } from '@easgate/messaging';
import { type RunningService, startService } from '@easgate/service-runtime';
import { waitFor } from '@easgate/testing';
import { alertingService } from '../src';

/**
 * The embedded defaults of `easgate start` (SQLite, the in-process bus) with a fast sweep, so the
 * time-driven side of the rules shows: an alert whose condition has gone quiet resolves by itself.
 */
describe('alerting embedded (SQLite), time-driven resolves', () => {
  const apiToken = 'alerting-embedded-token';
  const tenant = 'fabrikam.onmicrosoft.com';
  let dir: string;
  let bus: InProcessBus;
  let sut: RunningService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alerting-embedded-'));
    bus = new InProcessBus();
    sut = await startService(alertingService, {
      bus,
      dataDir: dir,
      port: 0,
      apiToken,
      env: {
        ALERTING_SWEEP_INTERVAL_SECONDS: '0.2',
        ALERTING_RESOLVE_HOLD_SECONDS: '0',
        ALERTING_CONFIG_CHANGE_QUIET_SECONDS: '1',
      },
    });
  });

  afterAll(async () => {
    await sut?.close();
    await bus?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const alerts = () =>
    bus.read(Topics.OpsAlert).map((m) => OpsAlertV1.parse(JSON.parse(m.value!.toString('utf8')).data));

  it('resolves a configuration-change alert once the object has stayed unchanged for the quiet period', async () => {
    const data: ExchangeConfigDriftV1 = {
      tenant,
      syncId: 'sync-1',
      section: 'device-access-rules',
      change: 'removed',
      identity: 'Android (DeviceOS)',
      before: { AccessLevel: 'Quarantine', Characteristic: 'DeviceOS', QueryString: 'Android 9' },
      observedAt: new Date().toISOString(),
    };
    const event = createCloudEvent({
      source: '//easgate/exchange-executor',
      type: ExchangeEventTypes.ConfigDrift,
      tenant,
      subject: data.identity,
      data,
    });
    await bus.publisher().publish(Topics.ExchangeConfigDrift, [encodeStructured(event, tenant)]);

    const fired = await waitFor('the alert firing', () => alerts().find((a) => a.status === 'firing'));
    expect(fired).toMatchObject({
      kind: 'exchange-config-changed',
      severity: 'warning',
      summary:
        "ActiveSync device access rule 'Android (DeviceOS)' was removed in Exchange Online: more devices may now connect",
      description: 'access level "Quarantine", matching "Android 9".',
    });
    const resolved = await waitFor('the sweep resolving it', () =>
      alerts().find((a) => a.status === 'resolved'),
    );
    expect(resolved.fingerprint).toBe(fired.fingerprint);
    expect(Date.parse(resolved.endsAt!) - Date.parse(data.observedAt)).toBeGreaterThanOrEqual(1000);

    const response = await fetch(`${sut.url}/v1/tenants/${tenant}/alerts?status=firing`, {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    expect(await response.json()).toEqual([]);
  });
});

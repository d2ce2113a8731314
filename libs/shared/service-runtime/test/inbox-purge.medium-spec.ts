import { createCloudEvent, encodeStructured } from '@easgate/contracts';
import { InProcessBus, ProcessedMessageEntity } from '@easgate/messaging';
import { settle, waitFor } from '@easgate/testing';
import { type RunningService, startService, type StartServiceOptions } from '../src';
import {
  DeviceStateEntity,
  DeviceStateTable1764100000001,
  deviceStateModule,
} from './support/device-state.fixture';

describe('the inbox purge of a running service', () => {
  const input = 'test.purge.report';
  let bus: InProcessBus;
  let sut: RunningService;

  const start = (options: Partial<StartServiceOptions>) =>
    startService(
      {
        name: 'purge-test',
        defaultPort: 0,
        entities: [DeviceStateEntity],
        migrations: [DeviceStateTable1764100000001],
        module: () => ({
          module: deviceStateModule({ input, output: 'test.purge.state' }, { attempts: new Map() }),
        }),
      },
      { bus, dataDir: ':memory:', port: 0, apiToken: 'test-token-0123456789', ...options },
    );
  const processedRows = () => sut.database.read((m) => m.getRepository(ProcessedMessageEntity).count());
  const handle = async (deviceId: string) => {
    const event = createCloudEvent({
      source: '//test',
      type: 'io.easgate.test.report',
      data: { deviceId, state: 'compliant' },
    });
    await bus.publisher().publish(input, [encodeStructured(event, deviceId)]);
    await waitFor(`${deviceId} handled`, () =>
      sut.database.read((m) => m.getRepository(DeviceStateEntity).findOneBy({ deviceId })),
    );
  };

  beforeEach(() => {
    bus = new InProcessBus();
  });
  afterEach(async () => {
    await sut?.close();
    await bus.close();
  });

  it('forgets processed messages older than the retention, on its schedule', async () => {
    sut = await start({ inboxRetentionMs: 0, inboxPurgeIntervalMs: 50 });
    await handle('purged-1');
    await waitFor('the processed-message row purged', async () => (await processedRows()) === 0);
  });

  it('keeps processed messages younger than the retention', async () => {
    sut = await start({ inboxRetentionMs: 3600_000, inboxPurgeIntervalMs: 50 });
    await handle('kept-1');
    await settle(300);
    expect(await processedRows()).toBe(1);
  });
});

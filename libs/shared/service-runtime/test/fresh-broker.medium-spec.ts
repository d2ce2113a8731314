import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCloudEvent, encodeStructured, Topics, topicSpecsOf } from '@easgate/contracts';
import { KafkaBus } from '@easgate/messaging';
import { createTestDatabase, type TestDatabase, uniqueName, waitFor } from '@easgate/testing';
import { type RunningService, startService } from '../src';
import {
  DeviceStateEntity,
  DeviceStateTable1764100000001,
  deviceStateModule,
} from './support/device-state.fixture';

const ROOT = join(__dirname, '../../../..');
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

// The first contact: a service started right after its broker's start returns, while the
// broker still elects leaders and has no group coordinator, provisions its topics and comes up.
describe('startService on a broker that has just started', () => {
  const home = join(tmpdir(), uniqueName('easgate-fresh-kafka'));
  let kafkaEnv: NodeJS.ProcessEnv;
  let db: TestDatabase;
  let bus: KafkaBus;
  let sut: RunningService;

  beforeAll(async () => {
    mkdirSync(home, { recursive: true });
    // The jars tools/kafka already fetched: no second download.
    if (existsSync(join(ROOT, '.kafka/libs'))) symlinkSync(join(ROOT, '.kafka/libs'), join(home, 'libs'));
    const port = await freePort();
    kafkaEnv = {
      ...process.env,
      KAFKA_HOME_DIR: home,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      KAFKA_HEAP: '256m',
    };
    db = await createTestDatabase();
    await run('bash', [join(ROOT, 'tools/kafka/kafka.sh'), 'start'], { env: kafkaEnv });
    bus = new KafkaBus({ brokers: [`127.0.0.1:${port}`], clientId: uniqueName('fresh') });
    sut = await startService(
      {
        name: 'exchange-executor',
        defaultPort: 0,
        entities: [DeviceStateEntity],
        migrations: [DeviceStateTable1764100000001],
        module: () => ({
          module: deviceStateModule(
            { input: Topics.ExchangeCommand, output: Topics.ExchangeResult },
            { attempts: new Map() },
          ),
        }),
      },
      {
        bus,
        databaseUrl: db.url,
        dataDir: ':memory:',
        port: 0,
        apiToken: 'test-token-0123456789',
        env: { KAFKA_TOPIC_PARTITIONS: '2' },
        consumerGroup: uniqueName('fresh'),
      },
    );
  });

  afterAll(async () => {
    await sut?.close();
    await bus?.close();
    await db?.drop();
    await run('bash', [join(ROOT, 'tools/kafka/kafka.sh'), 'stop'], { env: kafkaEnv }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  it('provisions the topics of its service with the catalogue layout, then consumes and publishes', async () => {
    const specs = topicSpecsOf('exchange-executor', { partitions: 2 });
    const states = await bus.describeTopics(specs.map((s) => s.name));
    expect(states.map((t) => [t.name, t.partitions, t.retentionMs])).toEqual(
      specs.map((s) => [s.name, s.partitions, String(s.retentionMs)]),
    );

    const event = createCloudEvent({
      source: '//test/fresh',
      type: 'io.easgate.test.device-report',
      data: { deviceId: 'fresh-1', state: 'compliant' },
    });
    await bus.publisher().publish(Topics.ExchangeCommand, [encodeStructured(event, 'fresh-1')]);
    await waitFor('the message handled', () =>
      sut.database.read((m) => m.getRepository(DeviceStateEntity).findOneBy({ deviceId: 'fresh-1' })),
    );
  });
});

import { createCloudEvent, deadLetterTopicOf, encodeStructured } from '@easgate/contracts';
import { KafkaBus } from '@easgate/messaging';
import {
  createTestDatabase,
  createTopics,
  settle,
  type TestDatabase,
  testBrokers,
  testKafka,
  TopicRecorder,
  uniqueName,
  waitFor,
} from '@easgate/testing';
import { Client } from 'pg';
import { type RunningService, startService } from '../src';
import {
  DeviceStateEntity,
  DeviceStateTable1764100000001,
  deviceStateModule,
} from './support/device-state.fixture';

// Connections killed and refused under a consuming service (a failover, a restart of PostgreSQL): the messages
// wait for the database instead of being dead-lettered after the few seconds of bounded retries.
describe('a service whose database connections are terminated mid-stream', () => {
  const input = uniqueName('test.dbloss.in');
  const output = uniqueName('test.dbloss.out');
  let db: TestDatabase;
  let bus: KafkaBus;
  let sut: RunningService;
  let deadLetters: TopicRecorder;
  let admin: Client;

  beforeAll(async () => {
    await createTopics([input, output, deadLetterTopicOf(input)], 3);
    db = await createTestDatabase();
    bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('dbloss') });
    sut = await startService(
      {
        name: 'dbloss-test',
        defaultPort: 0,
        entities: [DeviceStateEntity],
        migrations: [DeviceStateTable1764100000001],
        module: () => ({
          module: deviceStateModule({ input, output, handleDelayMs: 10 }, { attempts: new Map() }),
        }),
      },
      {
        bus,
        databaseUrl: db.url,
        dataDir: ':memory:',
        port: 0,
        apiToken: 'test-token-0123456789',
        consumerGroup: uniqueName('dbloss'),
        // The old behaviour dead-lettered after these three quick attempts.
        retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200 },
      },
    );
    deadLetters = await TopicRecorder.start([deadLetterTopicOf(input)]);
    // From another database: a database cannot refuse connections while one is open to it.
    admin = new Client({ connectionString: process.env['TEST_DATABASE_URL'] });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await deadLetters?.stop();
    await sut?.close();
    await bus?.close();
    await db?.drop();
  });

  const handled = () =>
    sut.database
      .read((m) => m.getRepository(DeviceStateEntity).find())
      .catch(() => [] as DeviceStateEntity[]);

  it('handles every message once, dead-letters none', async () => {
    const devices = Array.from({ length: 120 }, (_, i) => `dbloss-${i}`);
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: devices.map((deviceId) => {
        const record = encodeStructured(
          createCloudEvent({
            source: '//test/mdm',
            type: 'io.easgate.test.device-report',
            data: { deviceId, state: 'compliant' },
          }),
          deviceId,
        );
        return { key: record.key, value: record.value, headers: record.headers };
      }),
    });
    await producer.disconnect();

    await waitFor('the first messages handled', async () => (await handled()).length >= 10);
    // A three-second outage: no new connection is accepted and every open one is killed.
    const name = new URL(db.url).pathname.slice(1);
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    let terminated = 0;
    try {
      for (let round = 0; round < 6; round++) {
        const { rowCount } = await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        terminated += rowCount ?? 0;
        await settle(500);
      }
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    }
    expect(terminated).toBeGreaterThan(0);

    const rows = await waitFor(
      'every message handled',
      async () => {
        const all = await handled();
        return all.length === devices.length && all;
      },
      { timeoutMs: 90_000 },
    );
    expect(rows.filter((r) => r.changes !== 1)).toEqual([]);
    await settle(500);
    expect(deadLetters.records).toHaveLength(0);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createCloudEvent, encodeStructured } from '@easgate/contracts';
import { Client } from 'pg';
import {
  createTestDatabase,
  createTopics,
  type TestDatabase,
  testBrokers,
  testKafka,
  uniqueName,
  waitFor,
} from '@easgate/testing';
import { runServiceStandalone } from '../src';

const ROOT = join(__dirname, '../../../..');

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** The fixture service as its own process, the way an app's main.ts runs (runServiceStandalone). */
function spawnService(env: Record<string, string>) {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'tools/bin/run-ts.js'), join(__dirname, 'support/standalone-fixture.ts')],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        LOG_LEVEL: 'info',
        EASGATE_API_TOKEN: 'test-token-0123456789',
        PORT: '0',
        EASGATE_DATA_DIR: ':memory:',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<Exited>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, output })),
  );
  return { child, exited, output: () => output };
}

const fatalLines = (output: string) => output.split('\n').filter((l) => l.includes('"level":60'));

describe(runServiceStandalone.name, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('refuses to start without KAFKA_BROKERS, saying so', async () => {
    const { exited } = spawnService({ DATABASE_URL: db.url });
    const { code, output } = await exited;
    expect(code).toBe(1);
    expect(fatalLines(output)).toHaveLength(1);
    expect(fatalLines(output)[0]).toContain('KAFKA_BROKERS is required');
  });

  it('exits 1 with one line, nothing left running, when the service fails after its relay and consumer started', async () => {
    const input = uniqueName('test.standalone.in');
    await createTopics([input]);
    const { exited } = spawnService({
      KAFKA_BROKERS: testBrokers().join(','),
      DATABASE_URL: db.url,
      FIXTURE_MODE: 'fail-bootstrap',
      FIXTURE_INPUT: input,
    });
    const { code, output } = await exited;
    expect(code).toBe(1);
    expect(fatalLines(output)).toHaveLength(1);
    expect(fatalLines(output)[0]).toContain('wrong master key');
    expect(output).not.toContain('something kept running');
    expect(output).not.toContain('outbox relay pass failed');
  });

  it('exits 1 with one line when its port is taken', async () => {
    const input = uniqueName('test.standalone.port');
    await createTopics([input]);
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const { exited } = spawnService({
        KAFKA_BROKERS: testBrokers().join(','),
        DATABASE_URL: db.url,
        FIXTURE_INPUT: input,
        PORT: String((taken.address() as { port: number }).port),
      });
      const { code, output } = await exited;
      expect(code).toBe(1);
      expect(fatalLines(output)[0]).toContain('EADDRINUSE');
      expect(output).not.toContain('something kept running');
    } finally {
      taken.close();
    }
  });

  it('exits 1 with one line when the database stays unreachable past its retry budget', async () => {
    const closed: Server = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    closed.close();
    const { exited } = spawnService({
      KAFKA_BROKERS: testBrokers().join(','),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nowhere`,
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
    });
    const { code, output } = await exited;
    expect(code).toBe(1);
    expect(fatalLines(output)).toHaveLength(1);
    expect(fatalLines(output)[0]).toContain('database unreachable after 1500 ms');
  });

  it('on SIGTERM mid-stream finishes what is in flight and exits 0; a restart handles the rest, nothing lost or doubled', async () => {
    const input = uniqueName('test.standalone.drain');
    const output = uniqueName('test.standalone.drained');
    await createTopics([input, output, `${input}.dlq`], 3);
    const env = {
      KAFKA_BROKERS: testBrokers().join(','),
      DATABASE_URL: db.url,
      FIXTURE_INPUT: input,
      FIXTURE_OUTPUT: output,
      FIXTURE_HANDLE_DELAY_MS: '20',
    };
    const devices = Array.from({ length: 150 }, (_, i) => `drain-${i}`);
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: devices.map((deviceId) => {
        const event = createCloudEvent({
          id: uniqueName('evt'),
          source: '//test/mdm',
          type: 'io.easgate.test.device-report',
          data: { deviceId, state: 'compliant' },
        });
        const record = encodeStructured(event, deviceId);
        return { key: record.key, value: record.value, headers: record.headers };
      }),
    });
    await producer.disconnect();
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const handled = async () => {
      const { rows } = await pg.query<{ n: string; doubled: string }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE changes > 1) AS doubled
           FROM runtime_fixture.test_device_state WHERE device_id LIKE 'drain-%'`,
      );
      return { n: Number(rows[0].n), doubled: Number(rows[0].doubled) };
    };
    try {
      const first = spawnService(env);
      await waitFor('some messages handled', async () => (await handled().catch(() => ({ n: 0 }))).n >= 10);
      first.child.kill('SIGTERM');
      const stopped = await first.exited;
      expect(stopped.code).toBe(0);
      const atStop = await handled();
      expect(atStop.n).toBeLessThan(devices.length);

      const second = spawnService(env);
      await waitFor(
        'every message handled after the restart',
        async () => (await handled()).n === devices.length,
        {
          timeoutMs: 60_000,
        },
      );
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
      expect((await handled()).doubled).toBe(0);
    } finally {
      await pg.end();
    }
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';

/**
 * The medium-test environment: a real Kafka broker and a real PostgreSQL, found in this order —
 *  1. KAFKA_BROKERS / DATABASE_URL when set;
 *  2. a local broker started with tools/kafka (Java + Maven) and the PostgreSQL on 127.0.0.1:5432;
 *  3. Testcontainers, where a Docker engine answers;
 *  4. otherwise the run fails and says what is missing. Never a silent skip.
 * Workers inherit KAFKA_BROKERS and TEST_DATABASE_URL from here.
 */
const ROOT = join(__dirname, '../../../../..');
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

interface StopHandles {
  stopLocalKafka?: boolean;
  containers: { stop(): Promise<unknown> }[];
}

declare global {
  var __EASGATE_TEST_ENV__: StopHandles | undefined;
}

function log(message: string): void {
  process.stdout.write(`[test-env] ${message}\n`);
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function dockerAvailable(): boolean {
  return (
    hasCommand('docker') && spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0
  );
}

async function waitForKafka(brokers: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, clientId: 'test-env' }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      log(
        `Kafka ready at ${brokers.join(',')} (cluster ${cluster.clusterId}, ${cluster.brokers.length} broker)`,
      );
      return;
    } catch (err) {
      lastError = err;
      await admin.disconnect().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`Kafka at ${brokers.join(',')} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

async function postgresAnswers(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('select version()');
    return rows[0]?.version;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function provideKafka(handles: StopHandles): Promise<string> {
  if (process.env['KAFKA_BROKERS']) {
    log(`using KAFKA_BROKERS=${process.env['KAFKA_BROKERS']}`);
    return process.env['KAFKA_BROKERS'];
  }
  if (hasCommand('java') && hasCommand('mvn')) {
    const script = join(ROOT, 'tools/kafka/kafka.sh');
    const alreadyRunning = spawnSync('bash', [script, 'status']).status === 0;
    log(
      alreadyRunning
        ? 'using the local broker already started by tools/kafka'
        : 'starting a local broker with tools/kafka',
    );
    execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
    handles.stopLocalKafka = !alreadyRunning;
    return `127.0.0.1:${process.env['KAFKA_PORT'] ?? '9092'}`;
  }
  if (dockerAvailable()) {
    log('no KAFKA_BROKERS and no Java/Maven: starting Kafka with Testcontainers');
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer('confluentinc/cp-kafka:8.0.0').start();
    handles.containers.push(container);
    return `${container.getHost()}:${container.getMappedPort(9093)}`;
  }
  throw new Error(
    'No Kafka broker for the medium tests: set KAFKA_BROKERS, or install Java 17+ and Maven (tools/kafka fetches the broker), or run a Docker engine for Testcontainers.',
  );
}

async function provideDatabase(handles: StopHandles): Promise<string> {
  if (process.env['DATABASE_URL']) {
    const version = await postgresAnswers(process.env['DATABASE_URL']);
    if (!version) throw new Error('DATABASE_URL is set but PostgreSQL does not answer there');
    log(`using DATABASE_URL (${version.split(',')[0]})`);
    return process.env['DATABASE_URL'];
  }
  const local = await postgresAnswers(LOCAL_POSTGRES);
  if (local) {
    log(`using the local PostgreSQL at 127.0.0.1:5432 (${local.split(',')[0]})`);
    return LOCAL_POSTGRES;
  }
  if (dockerAvailable()) {
    log('no DATABASE_URL and no PostgreSQL on 127.0.0.1:5432: starting one with Testcontainers');
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    handles.containers.push(container);
    return container.getConnectionUri();
  }
  throw new Error(
    'No PostgreSQL for the medium tests: set DATABASE_URL, or run PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), or run a Docker engine for Testcontainers.',
  );
}

export default async function globalSetup(): Promise<void> {
  const handles: StopHandles = { containers: [] };
  globalThis.__EASGATE_TEST_ENV__ = handles;
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
  const [brokers, databaseUrl] = await Promise.all([provideKafka(handles), provideDatabase(handles)]);
  await waitForKafka(brokers.split(','));
  // No topic is created here: the services provision their own at start (KafkaBus.ensureTopics),
  // and the medium tests prove it; a test that publishes before any service started ensures its topics.
  process.env['KAFKA_BROKERS'] = brokers;
  process.env['TEST_DATABASE_URL'] = databaseUrl;
  if (!existsSync(join(ROOT, 'node_modules'))) throw new Error('run npm install first');
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allTopics,
  type CloudEvent,
  encodeBinary,
  encodeStructured,
  type KafkaRecord,
  type MdmComplianceV1,
  Topics,
} from '@easgate/contracts';
import {
  type BatchSink,
  type ConsumerHandle,
  type ConsumerOptions,
  InProcessBus,
  KafkaBus,
  type MessageBus,
  type MessagePublisher,
  type MessageSink,
} from '@easgate/messaging';
import { complianceFeed, policyTranslatorService } from '@easgate/policy-translator';
import { type RunningService, startService } from '@easgate/service-runtime';
import { createTestDatabase, ensureTopics, testKafka, uniqueName, waitFor } from '@easgate/testing';
import { recordFigure } from './report';

/**
 * Translator throughput: MDM compliance events per second from the bus to the database (device
 * state, event history, commands in the outbox, published), on Kafka + PostgreSQL and embedded
 * (in-process bus + SQLite), each beside the naive baseline measured in the same run: the same
 * service consuming one event per transaction. Every run checks the end state: each device ends in
 * the state of its newest event.
 *
 * Full size: 200,000 events over 50,000 devices. `BENCH_QUICK=1` (or `--quick`): 20,000 over 5,000.
 */
const QUICK = process.env['BENCH_QUICK'] === '1' || process.argv.includes('--quick');
const EVENTS = QUICK ? 20_000 : 200_000;
const DEVICES = QUICK ? 5_000 : 50_000;
/** The baseline is ~100× slower: a sample gives its rate. */
const BASELINE_EVENTS = QUICK ? 1_000 : 3_000;
const BASELINE_DEVICES = QUICK ? 500 : 1_500;

/** The naive baseline: the same bus and service, but every event in its own transaction. */
class OneEventPerTransaction implements MessageBus {
  constructor(private readonly inner: MessageBus) {}
  get kind() {
    return this.inner.kind;
  }
  publisher(): MessagePublisher {
    return this.inner.publisher();
  }
  consume(options: ConsumerOptions, sink: MessageSink): Promise<ConsumerHandle> {
    return this.inner.consume(options, sink);
  }
  consumeBatches(options: ConsumerOptions, sink: BatchSink): Promise<ConsumerHandle> {
    return this.inner.consume(options, (message, control) => sink([message], control));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

interface Run {
  events: number;
  seconds: number;
  perSecond: number;
  correct: number;
  devices: number;
  commands: number;
  stale: number;
  /** CPU of this process (service, bus client, producer) per event: what a busy machine hides. */
  cpuMicrosPerEvent: number;
}

interface Target {
  label: string;
  bus: () => MessageBus;
  /** postgres:// or undefined (SQLite in the data dir). */
  databaseUrl: () => Promise<{ url?: string; drop(): Promise<void> }>;
  produce: (bus: MessageBus, records: KafkaRecord[]) => Promise<void>;
}

function feedOf(events: number, devices: number): CloudEvent<MdmComplianceV1>[] {
  return complianceFeed({ tenant: `${uniqueName('bench')}.onmicrosoft.com`, devices, events, seed: 42 });
}

async function measure(target: Target, feed: CloudEvent<MdmComplianceV1>[], oneByOne: boolean): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'translator-bench-'));
  const inner = target.bus();
  const bus = oneByOne ? new OneEventPerTransaction(inner) : inner;
  const db = await target.databaseUrl();
  let service: RunningService | undefined;
  try {
    service = await startService(policyTranslatorService, {
      bus,
      ...(db.url !== undefined && { databaseUrl: db.url }),
      dataDir,
      apiToken: 'bench-token-0123456789',
      port: 0,
      consumerGroup: uniqueName('translator-bench'),
      fromBeginning: false,
      env: {},
    });
    const database = service.database;
    const count = async (sql: string) =>
      Number((await database.read((m) => m.query<{ n: string | number }[]>(sql)))[0].n);
    // The broker's topics are shared (tests, other benches): only this run's tenant is counted.
    const tenant = `'${feed[0].data.tenant.toLowerCase()}'`;
    const unique = new Set(feed.map((e) => e.id)).size;
    const records = feed.map((event, i) =>
      i % 2 === 0 ? encodeStructured(event, event.subject!) : encodeBinary(event, event.subject!),
    );
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await target.produce(bus, records);
    await waitFor(
      'every event handled',
      async () =>
        (await count(`SELECT count(*) AS n FROM compliance_event WHERE tenant = ${tenant}`)) >= unique,
      { timeoutMs: 1_800_000, intervalMs: 500 },
    );
    await waitFor(
      'every command published',
      async () => (await count('SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL')) === 0,
      { timeoutMs: 300_000, intervalMs: 250 },
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMicrosPerEvent = (cpu.user + cpu.system) / records.length;
    const newest = new Map<string, { sequence: number; state: string }>();
    for (const { data } of feed) {
      const known = newest.get(data.mdmDeviceId);
      if (!known || data.sequence! > known.sequence)
        newest.set(data.mdmDeviceId, { sequence: data.sequence!, state: data.state });
    }
    const stored = await database.read((m) =>
      m.query<{ mdm_device_id: string; state_json: string }[]>(
        `SELECT mdm_device_id, state_json FROM device_desired_state WHERE tenant = ${tenant}`,
      ),
    );
    const correct = stored.filter(
      (row) =>
        (JSON.parse(row.state_json) as { state: string }).state === newest.get(row.mdm_device_id)?.state,
    ).length;
    const run: Run = {
      events: records.length,
      seconds,
      perSecond: records.length / seconds,
      correct,
      devices: newest.size,
      commands: await count(`SELECT count(*) AS n FROM translator_command WHERE tenant = ${tenant}`),
      stale: await count(
        `SELECT count(*) AS n FROM compliance_event WHERE tenant = ${tenant} AND outcome = 'stale'`,
      ),
      cpuMicrosPerEvent,
    };
    console.log(
      `translator ${target.label}${oneByOne ? ' (one event per transaction)' : ''}: ${run.events.toLocaleString()} events ` +
        `(${unique.toLocaleString()} unique, ${run.stale} out of order) for ${run.devices.toLocaleString()} devices in ` +
        `${seconds.toFixed(1)} s = ${run.perSecond.toFixed(0)} events/s; ${run.correct}/${run.devices} devices end in ` +
        `the state of their newest event; ${run.commands.toLocaleString()} commands (${(run.commands / run.events).toFixed(3)} per event); ` +
        `${run.cpuMicrosPerEvent.toFixed(0)} µs CPU per event in this process`,
    );
    if (run.correct !== run.devices)
      throw new Error(
        `translator ${target.label}: ${run.devices - run.correct} devices do not end in the state of their newest event`,
      );
    return run;
  } finally {
    await service?.close();
    await bus.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function produceToKafka(_bus: MessageBus, records: KafkaRecord[]): Promise<void> {
  const producer = testKafka().producer();
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 1_000) {
      await producer.send({
        topic: Topics.MdmCompliance,
        messages: records
          .slice(i, i + 1_000)
          .map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

async function produceInProcess(bus: MessageBus, records: KafkaRecord[]): Promise<void> {
  const publisher = bus.publisher();
  for (let i = 0; i < records.length; i += 1_000) {
    await publisher.publish(Topics.MdmCompliance, records.slice(i, i + 1_000));
    // Let the consumers run meanwhile, as a separate producer would.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export async function runTranslatorBench(): Promise<void> {
  process.env['KAFKA_BROKERS'] ??= '127.0.0.1:9092';
  process.env['TEST_DATABASE_URL'] ??=
    process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env['LOG_LEVEL'] ??= 'warn';
  // The catalogue's layout (12 partitions for compliance and commands), as the services provision it.
  await ensureTopics(allTopics());
  const busDir = mkdtempSync(join(tmpdir(), 'translator-bench-bus-'));
  const kafka: Target = {
    label: 'Kafka + PostgreSQL',
    bus: () =>
      new KafkaBus({ brokers: process.env['KAFKA_BROKERS']!.split(','), clientId: uniqueName('bench') }),
    databaseUrl: () => createTestDatabase('easgate_bench'),
    produce: produceToKafka,
  };
  const embedded: Target = {
    label: 'embedded (in-process bus + SQLite)',
    bus: () => InProcessBus.durable(join(busDir, `${uniqueName('bus')}.sqlite`)),
    databaseUrl: () => Promise.resolve({ drop: () => Promise.resolve() }),
    produce: produceInProcess,
  };
  const workload = `${EVENTS.toLocaleString('en-US')} events over ${DEVICES.toLocaleString('en-US')} devices (5% duplicates, 5% reordered), measured from the first produce to every command published; baseline: ${BASELINE_EVENTS.toLocaleString('en-US')} events, one per transaction; every device ends in the state of its newest event`;
  try {
    // TRANSLATOR_BENCH_TARGET=kafka|embedded runs one of them (profiling).
    const only = process.env['TRANSLATOR_BENCH_TARGET'];
    for (const [target, id, goal] of [
      [kafka, 'translator.kafka-postgres.events-per-s', 10_000],
      [embedded, 'translator.embedded.events-per-s', 20_000],
    ] as const) {
      if (only !== undefined && !id.includes(only)) continue;
      const baseline =
        process.env['TRANSLATOR_BENCH_BASELINE'] === '0'
          ? undefined
          : await measure(target, feedOf(BASELINE_EVENTS, BASELINE_DEVICES), true);
      const batched = await measure(target, feedOf(EVENTS, DEVICES), false);
      recordFigure({
        id,
        figure: `translator events/s, ${target.label}`,
        unit: 'events/s',
        value: Math.round(batched.perSecond),
        better: 'higher',
        ...(baseline && {
          baseline: { label: 'one event per transaction', value: Math.round(baseline.perSecond) },
        }),
        goal,
        note: `${QUICK ? 'QUICK: ' : ''}${workload}; ${batched.cpuMicrosPerEvent.toFixed(0)} µs CPU per event in the service process${baseline ? ` (baseline ${baseline.cpuMicrosPerEvent.toFixed(0)} µs)` : ''}`,
      });
    }
  } finally {
    rmSync(busDir, { recursive: true, force: true });
  }
}

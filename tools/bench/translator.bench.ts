import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics, encodeBinary, encodeStructured, Topics } from '@easgate/contracts';
import { KafkaBus } from '@easgate/messaging';
import { complianceFeed, policyTranslatorService } from '@easgate/policy-translator';
import { startService } from '@easgate/service-runtime';
import { createTestDatabase, createTopics, testKafka, uniqueName, waitFor } from '@easgate/testing';

const DEVICES = 500;
const EVENTS = 2_000;

/**
 * Events per second through the translator on the real broker (PostgreSQL behind it), and how
 * many Exchange commands a realistic MDM mix turns into: periodic "still compliant" check-ins,
 * some non-compliance and back, resets with new EAS ids, wipes, duplicates and reordering.
 */
export async function runTranslatorBench(): Promise<void> {
  process.env['KAFKA_BROKERS'] ??= '127.0.0.1:9092';
  process.env['TEST_DATABASE_URL'] ??=
    process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env['LOG_LEVEL'] ??= 'warn';
  await createTopics(allTopics());
  const db = await createTestDatabase('easgate_bench');
  const dataDir = mkdtempSync(join(tmpdir(), 'translator-bench-'));
  const bus = new KafkaBus({
    brokers: process.env['KAFKA_BROKERS'].split(','),
    clientId: uniqueName('bench'),
  });
  const service = await startService(policyTranslatorService, {
    bus,
    databaseUrl: db.url,
    dataDir,
    apiToken: 'bench-token-0123456789',
    port: 0,
    consumerGroup: uniqueName('translator-bench'),
    fromBeginning: false,
    env: {},
  });
  const producer = testKafka().producer();
  try {
    const tenant = `${uniqueName('bench')}.onmicrosoft.com`;
    const feed = complianceFeed({ tenant, devices: DEVICES, events: EVENTS, seed: 42 });
    const unique = new Set(feed.map((e) => e.id)).size;
    await producer.connect();
    const records = feed.map((event, i) =>
      i % 2 === 0 ? encodeStructured(event, event.subject!) : encodeBinary(event, event.subject!),
    );
    const started = performance.now();
    for (let i = 0; i < records.length; i += 500) {
      await producer.send({
        topic: Topics.MdmCompliance,
        messages: records.slice(i, i + 500).map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      });
    }
    const count = async (sql: string) =>
      Number((await service.database.dataSource.query<{ n: string }[]>(sql))[0].n);
    await waitFor(
      'every event handled',
      async () => (await count('SELECT count(*) AS n FROM compliance_event')) >= unique,
      { timeoutMs: 80_000, intervalMs: 100 },
    );
    await waitFor(
      'every command published',
      async () => (await count('SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL')) === 0,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const seconds = (performance.now() - started) / 1000;
    const commands = await count('SELECT count(*) AS n FROM translator_command');
    const stale = await count("SELECT count(*) AS n FROM compliance_event WHERE outcome = 'stale'");
    console.log(
      `translator: ${records.length.toLocaleString()} events (${unique.toLocaleString()} unique, ${records.length - unique} duplicates, ${stale} out of order) for ${DEVICES} devices in ${seconds.toFixed(1)} s = ${(records.length / seconds).toFixed(0)} events/s through Kafka + PostgreSQL`,
    );
    const newest = new Map<string, { sequence: number; state: string }>();
    for (const { data } of feed) {
      const known = newest.get(data.mdmDeviceId);
      if (!known || data.sequence! > known.sequence)
        newest.set(data.mdmDeviceId, { sequence: data.sequence!, state: data.state });
    }
    const stored = await service.database.dataSource.query<{ mdm_device_id: string; state_json: string }[]>(
      'SELECT mdm_device_id, state_json FROM device_desired_state',
    );
    const correct = stored.filter(
      (row) =>
        (JSON.parse(row.state_json) as { state: string }).state === newest.get(row.mdm_device_id)?.state,
    ).length;
    console.log(`translator: ${correct}/${newest.size} devices end in the state of their newest event`);
    console.log(
      `translator: ${commands.toLocaleString()} Exchange commands = ${(commands / records.length).toFixed(3)} commands per event received`,
    );
  } finally {
    await producer.disconnect();
    await service.close();
    await bus.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allTopics,
  deadLetterTopicOf,
  encodeBinary,
  encodeStructured,
  ExchangeCommandV1,
  type KafkaRecord,
  type MdmComplianceState,
  Topics,
} from '@easgate/contracts';
import { DeadLetterHeaders, KafkaBus } from '@easgate/messaging';
import { type RunningService, startService } from '@easgate/service-runtime';
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
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { complianceEvent, policyTranslatorService } from '../src';

const SOURCE = '//easgate/policy-translator-batch-test';

function verdict(tenant: string, device: string, state: MdmComplianceState, sequence: number, id?: string) {
  return complianceEvent({
    tenant,
    userPrincipalName: `${device}@contoso.com`,
    mdmDeviceId: device,
    easDeviceIds: [`EAS${device.replace(/[^A-Za-z0-9]/g, '')}`],
    state,
    sequence,
    ...(id !== undefined && { id }),
    source: '//mdm.batch-test/customer/1',
  });
}

/** One produce request: the records land in one partition's log together, so the consumer gets them as one batch. */
async function produce(producer: Producer, records: KafkaRecord[]): Promise<void> {
  await producer.send({
    topic: Topics.MdmCompliance,
    messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
  });
}

describe('policy-translator batches on Kafka and PostgreSQL', () => {
  let db: TestDatabase;
  let bus: KafkaBus;
  let service: RunningService;
  let recorder: TopicRecorder;
  let producer: Producer;

  const commandsOf = (tenant: string) =>
    recorder
      .on(Topics.ExchangeCommand)
      .map((r) => JSON.parse(r.value!.toString()) as { source: string; data: unknown })
      .filter((event) => event.source === SOURCE)
      .map((event) => ExchangeCommandV1.parse(event.data))
      .filter((c) => c.tenant === tenant);
  const deadLettersOf = (key: string) =>
    recorder.on(deadLetterTopicOf(Topics.MdmCompliance)).filter((r) => r.key === key);
  const eventsStored = async (tenant: string) =>
    service.database.read((m) =>
      m.query<{ event_id: string; mdm_device_id: string }[]>(
        'SELECT event_id, mdm_device_id FROM compliance_event WHERE tenant = $1',
        [tenant],
      ),
    );

  beforeAll(async () => {
    await createTopics(allTopics());
    db = await createTestDatabase();
    bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('translator-batch') });
    service = await startService(policyTranslatorService, {
      bus,
      databaseUrl: db.url,
      dataDir: mkdtempSync(join(tmpdir(), 'translator-batch-')),
      apiToken: 'medium-test-token-batch',
      port: 0,
      consumerGroup: uniqueName('policy-translator-batch'),
      fromBeginning: false,
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200 },
      env: { TRANSLATOR_EVENT_SOURCE: SOURCE },
    });
    recorder = await TopicRecorder.start([Topics.ExchangeCommand, deadLetterTopicOf(Topics.MdmCompliance)]);
    producer = testKafka().producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await recorder?.stop();
    await service?.close();
    await bus?.close();
    await db?.drop();
  });

  it('dead-letters a poison message of a batch alone, with its reason, and handles every other event once', async () => {
    const tenant = `${uniqueName('t')}.onmicrosoft.com`;
    const key = uniqueName('batch-key');
    const devices = Array.from({ length: 30 }, (_, i) => `poison-${i}`);
    const poison = verdict(tenant, 'poison-x', 'compliant', 1);
    const records = devices.map((device) => encodeBinary(verdict(tenant, device, 'compliant', 1), key));
    records.splice(17, 0, encodeStructured({ ...poison, subject: 'someone-else' }, key));
    await produce(producer, records);

    const commands = await waitFor(
      'a command per good device',
      () => {
        const found = commandsOf(tenant);
        return found.length >= devices.length && found;
      },
      { timeoutMs: 90_000 },
    );
    const letters = await waitFor('the dead letter', () => {
      const found = deadLettersOf(key);
      return found.length >= 1 && found;
    });
    await settle(500);
    expect(deadLettersOf(key)).toHaveLength(1);
    expect(letters[0].headers[DeadLetterHeaders.ErrorCode]).toBe('MDM_SUBJECT_MISMATCH');
    expect(JSON.parse(letters[0].value!.toString())).toMatchObject({ id: poison.id });
    expect(commandsOf(tenant)).toHaveLength(devices.length);
    expect(commands.map((c) => c.mailbox).sort()).toEqual(devices.map((d) => `${d}@contoso.com`).sort());
    const stored = await eventsStored(tenant);
    expect(stored.map((e) => e.mdm_device_id).sort()).toEqual([...devices].sort());
  });

  it('applies an event delivered several times, in one batch and in a later one, once', async () => {
    const tenant = `${uniqueName('t')}.onmicrosoft.com`;
    const key = uniqueName('dup-key');
    const event = verdict(tenant, 'dup-1', 'noncompliant', 1);
    const other = verdict(tenant, 'dup-2', 'compliant', 1);
    await produce(producer, [
      encodeBinary(event, key),
      encodeStructured(event, key),
      encodeBinary(other, key),
      encodeBinary(event, key),
    ]);
    await waitFor('both devices handled', async () => (await eventsStored(tenant)).length >= 2);
    await produce(producer, [
      encodeStructured(event, key),
      encodeBinary(verdict(tenant, 'dup-3', 'compliant', 1), key),
    ]);
    await waitFor('the later batch handled', async () => (await eventsStored(tenant)).length >= 3);
    await waitFor('three commands', () => commandsOf(tenant).length >= 3);
    await settle(500);
    expect((await eventsStored(tenant)).filter((e) => e.event_id === event.id)).toHaveLength(1);
    expect(
      commandsOf(tenant)
        .map((c) => [c.mailbox, c.action.kind])
        .sort(),
    ).toEqual([
      ['dup-1@contoso.com', 'block-device'],
      ['dup-2@contoso.com', 'allow-device'],
      ['dup-3@contoso.com', 'allow-device'],
    ]);
    expect(deadLettersOf(key)).toHaveLength(0);
  });

  it('waits out a database outage in the middle of batches: every event handled once, none dead-lettered', async () => {
    const tenant = `${uniqueName('t')}.onmicrosoft.com`;
    const devices = Array.from({ length: 400 }, (_, i) => `outage-${i}`);
    const keys = [uniqueName('outage-a'), uniqueName('outage-b'), uniqueName('outage-c')];
    const events = (['compliant', 'noncompliant'] as const).flatMap((state, s) =>
      devices.map((device) => verdict(tenant, device, state, s + 1)),
    );
    // Each device's events under one key, so that their order holds; three keys, so three partitions.
    await produce(
      producer,
      events.map((e) => encodeBinary(e, keys[Number(e.data.mdmDeviceId.split('-')[1]) % keys.length])),
    );
    await waitFor('the first events handled', async () => (await eventsStored(tenant)).length >= 1, {
      intervalMs: 20,
    });
    const admin = new Client({ connectionString: process.env['TEST_DATABASE_URL'] });
    await admin.connect();
    const name = new URL(db.url).pathname.slice(1);
    let terminated = 0;
    try {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      for (let round = 0; round < 4; round++) {
        const { rowCount } = await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        terminated += rowCount ?? 0;
        await settle(500);
      }
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    expect(terminated).toBeGreaterThan(0);

    const stored = await waitFor(
      'every event handled',
      async () => {
        const all = await eventsStored(tenant).catch(() => []);
        return all.length >= events.length && all;
      },
      { timeoutMs: 90_000 },
    );
    await settle(500);
    expect(new Set(stored.map((e) => e.event_id)).size).toBe(events.length);
    expect(stored).toHaveLength(events.length);
    for (const key of keys) expect(deadLettersOf(key)).toHaveLength(0);
    const states = await service.database.read((m) =>
      m.query<{ state: string }[]>('SELECT state FROM device_desired_state WHERE tenant = $1', [tenant]),
    );
    expect(states.filter((s) => s.state !== 'noncompliant')).toEqual([]);
    expect(states).toHaveLength(devices.length);
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '@easgate/auth';
import {
  createCloudEvent,
  encodeStructured,
  type ExchangeCommandV1,
  ExchangeEventTypes,
  type ExchangeResultV1,
  mailboxKey,
  Topics,
} from '@easgate/contracts';
import { type RunningSandbox, startSandbox } from '@easgate/exo-sandbox';
import { KafkaBus } from '@easgate/messaging';
import { type RunningService, startService } from '@easgate/service-runtime';
import {
  createTestDatabase,
  type TestDatabase,
  testBrokers,
  testKafka,
  TopicRecorder,
  uniqueName,
  waitFor,
} from '@easgate/testing';
import type { Producer } from 'kafkajs';
import { exchangeExecutorService } from '../src';
import { CommandProcessor } from '../src/application/command-processor';

const API_TOKEN = 'executor-coalescing-token';
const WINDOW_MS = 300;

interface World {
  dir: string;
  sandbox: RunningSandbox;
  db: TestDatabase;
  bus: KafkaBus;
  sut: RunningService;
  producer: Producer;
  recorder: TopicRecorder;
}

/** The executor on real Kafka and PostgreSQL, calling the sandbox over HTTPS. */
async function setup(): Promise<World> {
  const world = {} as World;
  world.dir = mkdtempSync(join(tmpdir(), 'exo-coalescing-'));
  const cert = await createSelfSignedCertificate({
    subject: 'CN=coalescing',
    password: 'pfx',
    now: new Date(),
  });
  writeFileSync(join(world.dir, 'app.pfx'), cert.pfx);
  const appId = randomUUID();
  world.sandbox = await startSandbox({
    tlsDir: join(world.dir, 'tls'),
    port: 0,
    tenantId: randomUUID(),
    mailboxes: 10,
    devices: 10,
    seed: 3,
    apps: [{ appId, certificates: [cert.pem] }],
  });
  world.db = await createTestDatabase();
  world.bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('coalescing') });
  await world.bus.ensureTopics([Topics.ExchangeCommand, Topics.ExchangeResult]);
  world.recorder = await TopicRecorder.start([Topics.ExchangeResult]);
  world.sut = await startService(exchangeExecutorService(), {
    bus: world.bus,
    databaseUrl: world.db.url,
    dataDir: join(world.dir, 'data'),
    apiToken: API_TOKEN,
    port: 0,
    consumerGroup: uniqueName('exchange-executor'),
    fromBeginning: false,
    env: {
      EXCHANGE_APP_ID: appId,
      EXCHANGE_ORGANIZATION: world.sandbox.organization,
      EXCHANGE_TENANT_ID: world.sandbox.tenantId,
      EXCHANGE_AUTHORITY_HOST: world.sandbox.baseUrl,
      EXCHANGE_CONNECTION_URI: world.sandbox.baseUrl,
      EXCHANGE_CERTIFICATE_FILE: join(world.dir, 'app.pfx'),
      EXCHANGE_CERTIFICATE_PASSWORD: 'pfx',
      EXECUTOR_CA_FILE: world.sandbox.caPath,
      EXECUTOR_TENANTS: world.sandbox.tenantId,
      EXECUTOR_BATCH_WINDOW_MS: String(WINDOW_MS),
      EXECUTOR_MAX_BATCH_DELAY_MS: String(2 * WINDOW_MS),
    },
  });
  world.producer = testKafka().producer();
  await world.producer.connect();
  return world;
}

async function teardown(world: World): Promise<void> {
  await world.producer?.disconnect();
  await world.recorder?.stop();
  await world.sut?.close();
  await world.bus?.close();
  await world.db?.drop();
  await world.sandbox?.close();
  rmSync(world.dir, { recursive: true, force: true });
}

function aChange(world: World, mailbox: string, i: number): ExchangeCommandV1 {
  const kinds = ['allow-device', 'block-device', 'quarantine-device'] as const;
  return {
    commandId: randomUUID(),
    tenant: world.sandbox.tenantId,
    mailbox,
    action: { kind: kinds[i % 3], deviceId: `ApplSPREAD${String(i).padStart(6, '0')}` },
    reason: 'MDM policy change',
    requestedBy: 'policy-translator',
    requestedAt: new Date().toISOString(),
  };
}

/** Sends each command alone to partition 0, `gapMs` apart, each written (CloudEvent time) at `writtenAt`. */
async function deliverSlowly(
  world: World,
  commands: ExchangeCommandV1[],
  writtenAt: Date,
  gapMs: number,
): Promise<void> {
  for (const data of commands) {
    const record = encodeStructured(
      createCloudEvent({
        source: 'easgate/policy-translator',
        type: ExchangeEventTypes.Command,
        tenant: data.tenant,
        time: writtenAt,
        data,
      }),
      mailboxKey(data.tenant, data.mailbox),
    );
    await world.producer.send({
      topic: Topics.ExchangeCommand,
      messages: [{ partition: 0, key: record.key, value: record.value, headers: record.headers }],
    });
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

function setCasCallsFor(world: World, mailbox: string): number {
  return world.sandbox.sandbox.audit
    .query({ action: 'Set-CASMailbox' })
    .filter((a) => String(a.parameters?.['Identity']).toLowerCase() === mailbox.toLowerCase()).length;
}

describe(CommandProcessor.name, () => {
  let world: World;

  beforeAll(async () => {
    world = await setup();
  });

  afterAll(async () => {
    await teardown(world);
  });

  it("works each mailbox of a burst once, though the burst's changes reach it shuffled and spread over many windows", async () => {
    const mailboxes = [1, 2, 3, 4].map(
      (seq) => world.sandbox.sandbox.store.mailboxBySeq(seq)!.userPrincipalName,
    );
    // 4 mailboxes × 4 changes, written together, interleaved, read one every 120 ms: each mailbox's
    // changes arrive over about 1.5 s, five times the quiet window and more than twice the maximum delay.
    const commands = mailboxes.flatMap((mailbox, m) =>
      [0, 1, 2, 3].map((i) => aChange(world, mailbox, m * 4 + i)),
    );
    const shuffled = [0, 5, 10, 15, 1, 6, 11, 12, 2, 7, 8, 13, 3, 4, 9, 14].map((i) => commands[i]);
    await deliverSlowly(world, shuffled, new Date(), 120);

    const ids = new Set(commands.map((c) => c.commandId));
    const results = await waitFor('a result for each of the 16 changes', () => {
      const mine = world.recorder
        .on(Topics.ExchangeResult)
        .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeResultV1 }).data)
        .filter((d) => ids.has(d.commandId));
      return mine.length >= commands.length && mine;
    });
    expect(results.map((r) => r.outcome)).toEqual(commands.map(() => 'applied'));
    expect(mailboxes.map((mailbox) => setCasCallsFor(world, mailbox))).toEqual([1, 1, 1, 1]);
    const cas = world.sandbox.sandbox.store.findMailbox(mailboxes[0])!.cas;
    expect(cas.allowedDeviceIds).toEqual(expect.arrayContaining(['ApplSPREAD000000', 'ApplSPREAD000003']));
    expect(cas.blockedDeviceIds).toEqual(expect.arrayContaining(['ApplSPREAD000001']));
  });
});

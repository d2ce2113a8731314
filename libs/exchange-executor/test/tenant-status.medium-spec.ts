import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '@easgate/auth';
import {
  createCloudEvent,
  deadLetterTopicOf,
  encodeStructured,
  type ExchangeActionV1,
  type ExchangeCommandV1,
  ExchangeEventTypes,
  type ExchangeResultV1,
  mailboxKey,
  Topics,
} from '@easgate/contracts';
import { type RunningSandbox, startSandbox } from '@easgate/exo-sandbox';
import { KafkaBus } from '@easgate/messaging';
import { Database } from '@easgate/persistence';
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
import type { TenantStatusView } from '../src/application/tenant-status';
import { TenantStatusQueries } from '../src/infra/persistence/tenant-status.queries';

const API_TOKEN = 'executor-status-token';

interface World {
  dir: string;
  sandbox: RunningSandbox;
  db: TestDatabase;
  bus: KafkaBus;
  sut: RunningService;
  producer: Producer;
  recorder: TopicRecorder;
  tenant: string;
}

async function api<T>(world: World, method: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${world.sut.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${API_TOKEN}` },
  });
  return { status: res.status, body: (await res.json()) as T };
}

const statusOf = async (world: World, tenant = world.tenant) =>
  (await api<TenantStatusView>(world, 'GET', `/v1/tenants/${tenant}/status`)).body;

function commandFor(world: World, mailbox: string, action: ExchangeActionV1): ExchangeCommandV1 {
  return {
    commandId: randomUUID(),
    tenant: world.tenant,
    mailbox,
    action,
    reason: 'MDM reports noncompliant',
    requestedBy: 'policy-translator',
    requestedAt: new Date().toISOString(),
  };
}

async function send(world: World, command: ExchangeCommandV1): Promise<void> {
  const record = encodeStructured(
    createCloudEvent({
      source: 'easgate/test',
      type: ExchangeEventTypes.Command,
      tenant: command.tenant,
      data: command,
    }),
    mailboxKey(command.tenant, command.mailbox),
  );
  await world.producer.send({
    topic: Topics.ExchangeCommand,
    messages: [{ key: record.key, value: record.value, headers: record.headers }],
  });
}

async function resultOf(world: World, command: ExchangeCommandV1): Promise<ExchangeResultV1> {
  return waitFor(`the result of ${command.commandId}`, () =>
    world.recorder
      .on(Topics.ExchangeResult)
      .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeResultV1 }).data)
      .find((d) => d.commandId === command.commandId),
  );
}

/**
 * GET /v1/tenants/:tenant/status over real HTTP, on PostgreSQL, Kafka and the Exchange sandbox: what
 * the console's Exchange ActiveSync screen shows beside the certificate.
 */
describe('exchange-executor tenant status', () => {
  const world = {} as World;
  let mailbox: string;

  beforeAll(async () => {
    world.dir = mkdtempSync(join(tmpdir(), 'exo-status-'));
    const cert = await createSelfSignedCertificate({
      subject: 'CN=easgate-status',
      password: 'pfx-password',
      now: new Date(),
    });
    writeFileSync(join(world.dir, 'app.pfx'), cert.pfx);
    const appId = randomUUID();
    world.sandbox = await startSandbox({
      tlsDir: join(world.dir, 'tls'),
      port: 0,
      tenantId: randomUUID(),
      mailboxes: 6,
      devices: 12,
      seed: 9,
      apps: [{ appId, certificates: [cert.pem] }],
    });
    world.tenant = world.sandbox.tenantId;
    mailbox = world.sandbox.sandbox.store.mailboxBySeq(1)!.userPrincipalName;
    world.db = await createTestDatabase();
    world.bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('executor-status') });
    await world.bus.ensureTopics([
      Topics.ExchangeCommand,
      Topics.ExchangeResult,
      Topics.ServiceHealth,
      deadLetterTopicOf(Topics.ExchangeCommand),
    ]);
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
        EXCHANGE_CERTIFICATE_PASSWORD: 'pfx-password',
        EXECUTOR_CA_FILE: world.sandbox.caPath,
        EXECUTOR_TENANTS: world.sandbox.tenantId,
        EXECUTOR_BATCH_WINDOW_MS: '100',
        EXECUTOR_RETRY_BASE_MS: '20',
        EXECUTOR_THROTTLE_SIGNAL_COUNT: '2',
        EXECUTOR_HEALTH_WINDOW_SECONDS: '600',
        // Open for the rest of the run once it opens: the last test reads it open, not racing a probe.
        EXECUTOR_CIRCUIT_FAILURES: '2',
        EXECUTOR_CIRCUIT_OPEN_MS: '3600000',
      },
    });
    world.producer = testKafka().producer();
    await world.producer.connect();
  });

  afterAll(async () => {
    await world.producer?.disconnect();
    await world.recorder?.stop();
    await world.sut?.close();
    await world.bus?.close();
    await world.db?.drop();
    await world.sandbox?.close();
    rmSync(world.dir, { recursive: true, force: true });
  });

  it('answers for a tenant nothing has happened to yet: no call, no scan, no backlog, circuit closed', async () => {
    const status = await statusOf(world);

    expect(status).toMatchObject({
      tenant: world.tenant,
      knownAs: [world.tenant.toLowerCase(), world.sandbox.organization.toLowerCase()],
      throttling: { active: false, throttledRequests: 0, windowSeconds: 600 },
      circuit: { state: 'closed' },
      discovery: { state: 'none', inventory: { mailboxes: 0 } },
      backlog: { depth: 0, oldestAgeSeconds: 0 },
    });
    expect(status.lastSuccessfulCall).toBeUndefined();
  });

  it('refuses a tenant that is neither a GUID nor a domain with INVALID_TENANT', async () => {
    const res = await api<{ code: string }>(world, 'GET', '/v1/tenants/no%20such%20tenant/status');

    expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_TENANT' } });
  });

  it('shows a finished discovery with its counts and the inventory it left, by tenant id or domain', async () => {
    const started = await api<{ scanId: string }>(world, 'POST', `/v1/tenants/${world.tenant}/discovery`);
    await waitFor(
      'the scan to complete',
      async () => (await statusOf(world)).discovery.state === 'completed',
    );

    const byId = await statusOf(world);
    const byDomain = await statusOf(world, world.sandbox.organization);

    expect(byId.discovery).toMatchObject({
      state: 'completed',
      scan: { scanId: started.body.scanId, mailboxes: 6, devices: 12 },
      inventory: { mailboxes: 6, lastObservedAt: expect.any(String) as string },
    });
    expect(byDomain.discovery).toEqual(byId.discovery);
    expect(byId.lastSuccessfulCall).toMatchObject({ source: 'request', what: 'Get-CASMailbox' });
  });

  it('shows the last applied command as the last successful Exchange call', async () => {
    const command = commandFor(world, mailbox, { kind: 'block-device', deviceId: 'ApplSTAT00000001' });
    await send(world, command);
    expect((await resultOf(world, command)).outcome).toBe('applied');

    const status = await statusOf(world);

    expect(status.lastAppliedCommand).toMatchObject({ commandId: command.commandId, action: 'block-device' });
    expect(status.lastSuccessfulCall!.at >= status.lastAppliedCommand!.completedAt).toBe(true);
  });

  it('shows throttling while Exchange answers 429', async () => {
    world.sandbox.sandbox.faults.inject({
      kind: 'http-429',
      target: 'adminapi',
      cmdlet: 'Set-CASMailbox',
      count: 2,
      retryAfterSeconds: 0.1,
    });
    const command = commandFor(world, mailbox, { kind: 'allow-device', deviceId: 'ApplSTAT00000002' });
    await send(world, command);
    await resultOf(world, command);

    const status = await statusOf(world);

    expect(status.throttling).toMatchObject({ active: true, throttledRequests: 2, retryAfterSeconds: 0.1 });
  });

  it('shows the circuit open with its reason and the commands waiting behind it', async () => {
    world.sandbox.sandbox.faults.inject({
      kind: 'http-503',
      target: 'adminapi',
      cmdlet: 'Set-CASMailbox',
      count: 1000,
    });
    const command = commandFor(world, mailbox, { kind: 'block-device', deviceId: 'ApplSTAT00000003' });
    await send(world, command);

    const status = await waitFor('the circuit open and the command waiting', async () => {
      const s = await statusOf(world);
      return s.circuit.state === 'open' && s.backlog.depth > 0 && s;
    });

    expect(status.circuit.reason).toMatch(/consecutive failures/);
    expect(status.backlog).toMatchObject({ depth: 1, oldestReceivedAt: expect.any(String) as string });
  });
});

describe(TenantStatusQueries.name, () => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const definition = exchangeExecutorService();
    db = await Database.open({
      service: 'status-index-test',
      url: testDb.url,
      entities: definition.entities,
      migrations: definition.migrations,
    });
  });

  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it("finds a tenant's last applied command through the partial index of applied rows", async () => {
    const plan = await db.transaction(async (tx) => {
      // An empty table makes a sequential scan cheapest: ask what the planner does when it must choose.
      await tx.query('SET LOCAL enable_seqscan = off');
      return tx.query<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN SELECT completed_at FROM exchange_command_log c
          WHERE c.tenant = $1 AND c.status = 'applied' ORDER BY c.completed_at DESC LIMIT 1`,
        ['contoso.com'],
      );
    });

    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('exchange_command_log_applied_by_tenant');
    await expect(new TenantStatusQueries(db).lastApplied('contoso.com')).resolves.toBeUndefined();
  });
});

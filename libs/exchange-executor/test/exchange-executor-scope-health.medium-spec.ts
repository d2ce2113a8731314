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
  type ServiceHealthV1,
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

const API_TOKEN = 'executor-scope-token';

function commandFor(world: World, mailbox: string | undefined, action: ExchangeActionV1): ExchangeCommandV1 {
  return {
    commandId: randomUUID(),
    tenant: world.tenant,
    ...(mailbox !== undefined && { mailbox }),
    action,
    reason: 'MDM reports noncompliant',
    requestedBy: 'policy-translator',
    requestedAt: new Date().toISOString(),
  };
}

async function send(world: World, commands: ExchangeCommandV1[]): Promise<void> {
  await world.producer.send({
    topic: Topics.ExchangeCommand,
    messages: commands.map((data) => {
      const record = encodeStructured(
        createCloudEvent({
          source: 'easgate/test',
          type: ExchangeEventTypes.Command,
          tenant: data.tenant,
          data,
        }),
        mailboxKey(data.tenant, data.mailbox),
      );
      return { key: record.key, value: record.value, headers: record.headers };
    }),
  });
}

async function resultsFor(world: World, commands: ExchangeCommandV1[]): Promise<ExchangeResultV1[]> {
  const ids = new Set(commands.map((c) => c.commandId));
  return waitFor(`results of ${ids.size} command(s)`, () => {
    const results = world.recorder
      .on(Topics.ExchangeResult)
      .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeResultV1 }).data)
      .filter((d) => ids.has(d.commandId));
    return results.length >= ids.size && results;
  });
}

function signalsOf(world: World): ServiceHealthV1[] {
  return world.recorder
    .on(Topics.ServiceHealth)
    .map((r) => (JSON.parse(r.value!.toString()) as { data: ServiceHealthV1 }).data)
    .filter((d) => 'tenant' in d && d.tenant === world.tenant);
}

async function signalMatching(
  world: World,
  description: string,
  match: (s: ServiceHealthV1) => boolean,
): Promise<ServiceHealthV1> {
  return waitFor(description, () => signalsOf(world).find(match));
}

function setCasCallsFor(world: World, mailbox: string): number {
  return world.sandbox.sandbox.audit
    .query({ action: 'Set-CASMailbox' })
    .filter((a) => String(a.parameters?.['Identity']).toLowerCase() === mailbox.toLowerCase()).length;
}

describe('exchange-executor scope, health signals and device state', () => {
  const world = {} as World;
  let inScope: { upn: string; alias: string };
  let outsideUpn: string;

  beforeAll(async () => {
    world.dir = mkdtempSync(join(tmpdir(), 'exo-scope-'));
    const cert = await createSelfSignedCertificate({
      subject: 'CN=easgate-scope',
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
      seed: 5,
      apps: [{ appId, certificates: [cert.pem] }],
    });
    world.tenant = world.sandbox.tenantId;
    // In scope: a mailbox with two devices (the device-state test changes both); outside: another one.
    const mailboxes = [1, 2, 3, 4, 5, 6].map((seq) => world.sandbox.sandbox.store.mailboxBySeq(seq)!);
    const first = mailboxes.find((m) => m.devices.length >= 2)!;
    inScope = { upn: first.userPrincipalName, alias: first.alias };
    outsideUpn = mailboxes.find((m) => m !== first)!.userPrincipalName;
    world.db = await createTestDatabase();
    world.bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('executor-scope') });
    await world.bus.ensureTopics([
      Topics.ExchangeCommand,
      Topics.ExchangeResult,
      Topics.ServiceHealth,
      deadLetterTopicOf(Topics.ExchangeCommand),
    ]);
    world.recorder = await TopicRecorder.start([
      Topics.ExchangeResult,
      Topics.ServiceHealth,
      deadLetterTopicOf(Topics.ExchangeCommand),
    ]);
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
        EXECUTOR_BATCH_WINDOW_MS: '200',
        EXECUTOR_RETRY_BASE_MS: '50',
        EXECUTOR_CIRCUIT_OPEN_MS: '500',
        EXECUTOR_HEALTH_INTERVAL_MS: '250',
        EXECUTOR_HEALTH_WINDOW_SECONDS: '2',
        EXECUTOR_THROTTLE_SIGNAL_COUNT: '2',
        EXECUTOR_SCOPES: JSON.stringify({
          // Keyed by the domain while commands name the tenant id: the guard matches either.
          [world.sandbox.organization]: { recipientRestrictionFilter: `Alias -eq '${first.alias}'` },
        }),
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

  it('refuses commands for a mailbox outside the tenant scope without calling Exchange or dead-lettering', async () => {
    const outside = outsideUpn;
    const refused = commandFor(world, outside, { kind: 'block-device', deviceId: 'ApplSCOP00000001' });
    const allowed = commandFor(world, inScope.upn, { kind: 'block-device', deviceId: 'ApplSCOP00000002' });
    await send(world, [refused, allowed]);
    const results = await resultsFor(world, [refused, allowed]);
    const byId = new Map(results.map((r) => [r.commandId, r]));
    expect(byId.get(refused.commandId)).toMatchObject({
      outcome: 'failed',
      error: { code: 'OUT_OF_SCOPE', retriable: false },
    });
    expect(byId.get(allowed.commandId)).toMatchObject({ outcome: 'applied' });
    expect(setCasCallsFor(world, outside)).toBe(0);
    expect(setCasCallsFor(world, inScope.upn)).toBe(1);
    const dead = world.recorder
      .on(deadLetterTopicOf(Topics.ExchangeCommand))
      .filter((r) => r.value!.toString().includes(refused.commandId));
    expect(dead).toHaveLength(0);
  });

  it('refuses a tenant-wide action in a scoped tenant', async () => {
    const command = commandFor(world, undefined, { kind: 'set-organization-default', level: 'Quarantine' });
    await send(world, [command]);
    const [result] = await resultsFor(world, [command]);
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'OUT_OF_SCOPE' } });
  });

  it('signals sustained throttling on the health topic while the sandbox answers 429, and its end', async () => {
    world.sandbox.sandbox.faults.inject({
      kind: 'http-429',
      target: 'adminapi',
      cmdlet: 'Set-CASMailbox',
      count: 2,
      retryAfterSeconds: 0.2,
    });
    const command = commandFor(world, inScope.upn, { kind: 'allow-device', deviceId: 'ApplTHRO00000001' });
    await send(world, [command]);
    await resultsFor(world, [command]);
    const on = await signalMatching(world, 'throttling active', (s) => s.signal === 'throttling' && s.active);
    expect(on).toMatchObject({ service: 'exchange-executor', throttledRequests: 2, windowSeconds: 2 });
    await signalMatching(world, 'throttling over', (s) => s.signal === 'throttling' && !s.active);
  });

  it('signals the circuit opening and closing, and the backlog while commands wait, through a 503 outage', async () => {
    world.sandbox.sandbox.faults.inject({
      kind: 'http-503',
      target: 'adminapi',
      cmdlet: 'Set-CASMailbox',
      count: 7,
    });
    const started = new Date().toISOString();
    const command = commandFor(world, inScope.upn, { kind: 'block-device', deviceId: 'ApplOUTG00000001' });
    await send(world, [command]);
    const [result] = await resultsFor(world, [command]);
    expect(result.outcome).toBe('applied');
    const open = await signalMatching(
      world,
      'circuit open',
      (s) => s.signal === 'circuit' && s.state === 'open',
    );
    expect(open).toMatchObject({ reason: expect.stringMatching(/5 consecutive failures/) });
    await signalMatching(world, 'circuit closed', (s) => s.signal === 'circuit' && s.state === 'closed');
    const waiting = await signalMatching(
      world,
      'a backlog',
      (s) => s.signal === 'backlog' && s.depth > 0 && s.observedAt >= started,
    );
    expect(waiting).toMatchObject({ queue: 'exchange-commands', depth: 1 });
    await signalMatching(
      world,
      'the backlog drained',
      (s) => s.signal === 'backlog' && s.depth === 0 && s.observedAt >= started,
    );
  });

  it('signals a completed discovery with its counts', async () => {
    const res = await fetch(`${world.sut.url}/v1/tenants/${world.tenant}/discovery`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_TOKEN}` },
    });
    const { scanId } = (await res.json()) as { scanId: string };
    const done = await signalMatching(
      world,
      'discovery completed',
      (s) => s.signal === 'discovery-completed' && s.scanId === scanId,
    );
    expect(done).toMatchObject({ mailboxes: 6, devices: 12, intervalSeconds: 86_400 });
  });

  it('reports the device as Exchange has it after the change, with one device read per mailbox flush', async () => {
    const store = world.sandbox.sandbox.store;
    const [first, second] = store.findMailbox(inScope.upn)!.devices.map((seq) => store.deviceBySeq(seq)!);
    const reads = () =>
      world.sandbox.sandbox.audit
        .query({ action: 'Get-MobileDevice' })
        .filter((a) => String(a.parameters?.['Mailbox']).toLowerCase() === inScope.upn.toLowerCase()).length;
    const before = reads();
    const commands = [
      commandFor(world, inScope.upn, { kind: 'block-device', deviceId: first.deviceId }),
      commandFor(world, inScope.upn, { kind: 'allow-device', deviceId: second.deviceId }),
    ];
    await send(world, commands);
    const results = await resultsFor(world, commands);
    expect(results.map((r) => [r.outcome, r.device?.deviceId, r.device?.accessState])).toEqual([
      ['applied', first.deviceId, 'Blocked'],
      ['applied', second.deviceId, 'Allowed'],
    ]);
    expect(reads()).toBe(before + 1);

    const again = commandFor(world, inScope.upn, { kind: 'block-device', deviceId: first.deviceId });
    await send(world, [again]);
    const [skipped] = await resultsFor(world, [again]);
    expect(skipped).toMatchObject({
      outcome: 'skipped',
      device: { deviceId: first.deviceId, accessState: 'Blocked' },
    });
    expect(reads()).toBe(before + 1);
  });
});

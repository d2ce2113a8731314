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
  type ExchangeConfigDriftV1,
  ExchangeEventTypes,
  type ExchangeInventoryV1,
  type ExchangeResultV1,
  mailboxKey,
  Topics,
} from '@easgate/contracts';
import { type RunningSandbox, startSandbox } from '@easgate/exo-sandbox';
import { KafkaBus, replayRecord } from '@easgate/messaging';
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
import { CommandKinds } from '../src/domain/command-kinds';

const API_TOKEN = 'executor-test-token';

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

async function send(world: World, commands: ExchangeCommandV1[], eventId?: () => string): Promise<void> {
  await world.producer.send({
    topic: Topics.ExchangeCommand,
    messages: commands.map((data) => {
      const record = encodeStructured(
        createCloudEvent({
          ...(eventId && { id: eventId() }),
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

function resultsOf(world: World, commandIds: string[]): ExchangeResultV1[] {
  const wanted = new Set(commandIds);
  return world.recorder
    .on(Topics.ExchangeResult)
    .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeResultV1 }).data)
    .filter((d) => wanted.has(d.commandId));
}

async function resultsFor(world: World, commands: ExchangeCommandV1[]): Promise<ExchangeResultV1[]> {
  const ids = commands.map((c) => c.commandId);
  return waitFor(`results of ${ids.length} command(s)`, () => {
    const results = resultsOf(world, ids);
    return results.length >= ids.length && results;
  });
}

function setCasCallsFor(world: World, mailbox: string): number {
  return world.sandbox.sandbox.audit
    .query({ action: 'Set-CASMailbox' })
    .filter((a) => String(a.parameters?.['Identity']).toLowerCase() === mailbox.toLowerCase()).length;
}

function mailboxAt(world: World, seq: number): string {
  return world.sandbox.sandbox.store.mailboxBySeq(seq)!.userPrincipalName;
}

async function api<T>(world: World, method: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${world.sut.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${API_TOKEN}` },
  });
  return { status: res.status, body: (await res.json()) as T };
}

describe('exchange-executor service', () => {
  const world = {} as World;

  beforeAll(async () => {
    world.dir = mkdtempSync(join(tmpdir(), 'exo-executor-'));
    const cert = await createSelfSignedCertificate({
      subject: 'CN=easgate-executor',
      password: 'pfx-password',
      now: new Date(),
    });
    writeFileSync(join(world.dir, 'app.pfx'), cert.pfx);
    const appId = randomUUID();
    world.sandbox = await startSandbox({
      tlsDir: join(world.dir, 'tls'),
      port: 0,
      tenantId: randomUUID(),
      mailboxes: 20,
      devices: 40,
      seed: 11,
      apps: [{ appId, certificates: [cert.pem] }],
    });
    world.tenant = world.sandbox.tenantId;
    world.db = await createTestDatabase();
    world.bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('executor') });
    await world.bus.ensureTopics([
      Topics.ExchangeCommand,
      Topics.ExchangeResult,
      Topics.ExchangeInventory,
      Topics.ExchangeConfigDrift,
      deadLetterTopicOf(Topics.ExchangeCommand),
    ]);
    world.recorder = await TopicRecorder.start([
      Topics.ExchangeResult,
      Topics.ExchangeInventory,
      Topics.ExchangeConfigDrift,
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
        // The tenant enabled full wipes (off by default), as the Outlook REST wipe test needs.
        EXECUTOR_TENANT_COMMAND_KINDS: JSON.stringify({ [world.sandbox.tenantId]: CommandKinds }),
        EXECUTOR_BATCH_WINDOW_MS: '300',
        EXECUTOR_RETRY_BASE_MS: '50',
        EXECUTOR_CIRCUIT_OPEN_MS: '500',
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

  it('coalesces the changes of one mailbox into one Set-CASMailbox and reports each command in order', async () => {
    const mailbox = mailboxAt(world, 1);
    const commands = [
      commandFor(world, mailbox, { kind: 'allow-device', deviceId: 'ApplCOAL00000001' }),
      commandFor(world, mailbox, { kind: 'block-device', deviceId: 'ApplCOAL00000002' }),
      commandFor(world, mailbox, { kind: 'allow-device', deviceId: 'ApplCOAL00000003' }),
      commandFor(world, mailbox, { kind: 'quarantine-device', deviceId: 'ApplCOAL00000004' }),
      commandFor(world, mailbox, { kind: 'block-device', deviceId: 'ApplCOAL00000005' }),
    ];
    await send(world, commands);
    const results = await resultsFor(world, commands);
    expect(results.map((r) => r.commandId)).toEqual(commands.map((c) => c.commandId));
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(setCasCallsFor(world, mailbox)).toBe(1);
    const cas = world.sandbox.sandbox.store.findMailbox(mailbox)!.cas;
    expect(cas.allowedDeviceIds).toEqual(expect.arrayContaining(['ApplCOAL00000001', 'ApplCOAL00000003']));
    expect(cas.blockedDeviceIds).toEqual(expect.arrayContaining(['ApplCOAL00000002', 'ApplCOAL00000005']));
  });

  it('applies a command delivered twice (same event, or same commandId in a new event) once', async () => {
    const mailbox = mailboxAt(world, 2);
    const command = commandFor(world, mailbox, { kind: 'block-device', deviceId: 'ApplDUPL00000001' });
    const eventId = randomUUID();
    await send(world, [command, command], () => eventId);
    await send(world, [command]);
    await resultsFor(world, [command]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(resultsOf(world, [command.commandId])).toHaveLength(1);
    expect(setCasCallsFor(world, mailbox)).toBe(1);
  });

  it('discovers mailboxes and devices, then skips a command Exchange already satisfies', async () => {
    const started = await api<{ scanId: string }>(world, 'POST', `/v1/tenants/${world.tenant}/discovery`);
    expect(started.status).toBe(202);
    const scan = await waitFor('the scan to finish', async () => {
      const s = await api<{ state: string; mailboxes: number; devices: number }>(
        world,
        'GET',
        `/v1/discovery/scans/${started.body.scanId}`,
      );
      return s.body.state !== 'running' && s.body;
    });
    expect(scan).toMatchObject({ state: 'completed', mailboxes: 20, devices: 40 });
    const inventories = await waitFor('20 inventory events', () => {
      const mine = world.recorder
        .on(Topics.ExchangeInventory)
        .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeInventoryV1 }).data)
        .filter((d) => d.scanId === started.body.scanId);
      return mine.length === 20 && mine;
    });
    expect(inventories.reduce((n, i) => n + i.devices.length, 0)).toBe(40);

    const mailbox = mailboxAt(world, 3);
    const before = setCasCallsFor(world, mailbox);
    const command = commandFor(world, mailbox, { kind: 'quarantine-device', deviceId: 'ApplNEVER0000001' });
    await send(world, [command]);
    const [result] = await resultsFor(world, [command]);
    expect(result).toMatchObject({
      outcome: 'skipped',
      cmdlets: [],
      detail: expect.stringMatching(/neither personal list/),
    });
    expect(setCasCallsFor(world, mailbox)).toBe(before);
  });

  it('removes a device partnership by its DeviceId', async () => {
    const device = world.sandbox.sandbox.store.deviceBySeq(1)!;
    const mailbox = world.sandbox.sandbox.store.mailboxBySeq(device.mailboxSeq)!.userPrincipalName;
    const command = commandFor(world, mailbox, { kind: 'remove-device', deviceId: device.deviceId });
    await send(world, [command]);
    const [result] = await resultsFor(world, [command]);
    expect(result).toMatchObject({
      outcome: 'applied',
      cmdlets: ['Get-MobileDevice', 'Remove-MobileDevice'],
    });
  });

  it('sends an account-only wipe when Exchange refuses a full wipe for an Outlook (REST) client', async () => {
    const store = world.sandbox.sandbox.store;
    const outlook = Array.from({ length: store.deviceSeqLimit }, (_, seq) => store.deviceBySeq(seq)).find(
      (d) => d?.clientType === 'Outlook' && !d.wipe,
    )!;
    const mailbox = store.mailboxBySeq(outlook.mailboxSeq)!.userPrincipalName;
    const command = commandFor(world, mailbox, {
      kind: 'wipe-device',
      deviceId: outlook.deviceId,
      accountOnly: false,
    });
    await send(world, [command]);
    const [result] = await resultsFor(world, [command]);
    expect(result).toMatchObject({
      outcome: 'applied',
      detail: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
      wipe: { accountOnly: true, fullWipeUnsupported: true },
      cmdlets: ['Get-MobileDevice', 'Clear-MobileDevice', 'Clear-MobileDevice'],
    });
    expect(outlook.wipe).toMatchObject({ accountOnly: true });
    const calls = world.sandbox.sandbox.audit
      .query({ action: 'Clear-MobileDevice' })
      .filter((a) => a.parameters?.['Identity'] === store.deviceIdentity(outlook));
    expect(calls.map((a) => [a.status, a.parameters?.['AccountOnly'] ?? false])).toEqual([
      [400, false],
      [200, true],
    ]);
  });

  it('fails what Exchange refuses, with the typed error, and dead-letters it', async () => {
    const command = commandFor(world, 'nobody@nowhere.example', {
      kind: 'block-device',
      deviceId: 'ApplFAIL00000001',
    });
    await send(world, [command]);
    const [result] = await resultsFor(world, [command]);
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'EXO_NOT_FOUND', retriable: false } });
    const dead = await waitFor('the dead letter', () =>
      world.recorder
        .on(deadLetterTopicOf(Topics.ExchangeCommand))
        .find(
          (r) =>
            (JSON.parse(r.value!.toString()) as { data: ExchangeCommandV1 }).data.commandId ===
            command.commandId,
        ),
    );
    expect(dead.headers['x-easgate-dlq-error-code']).toBe('EXO_NOT_FOUND');
  });

  it('applies a replayed dead letter once its cause is fixed', async () => {
    const alias = `late${Date.now().toString(36)}`;
    const upn = `${alias}@${world.sandbox.organization}`;
    const command = commandFor(world, upn, { kind: 'block-device', deviceId: 'ApplLATE00000001' });
    await send(world, [command]);
    const dead = await waitFor('the dead letter', () =>
      world.recorder
        .on(deadLetterTopicOf(Topics.ExchangeCommand))
        .find(
          (r) =>
            (JSON.parse(r.value!.toString()) as { data: ExchangeCommandV1 }).data.commandId ===
            command.commandId,
        ),
    );
    world.sandbox.sandbox.addMailbox({ alias });
    const { topic, record } = replayRecord(dead);
    await world.producer.send({
      topic,
      messages: [{ key: record.key, value: record.value, headers: record.headers }],
    });
    const replayed = await waitFor('the replayed result', () => {
      const results = resultsOf(world, [command.commandId]);
      return results.length === 2 && results;
    });
    expect(replayed.map((r) => r.outcome)).toEqual(['failed', 'applied']);
  });

  it('retries through a 503 and a 429 and still applies the change', async () => {
    world.sandbox.sandbox.faults.inject({
      kind: 'http-503',
      target: 'adminapi',
      cmdlet: 'Set-CASMailbox',
      count: 1,
    });
    world.sandbox.sandbox.faults.inject({
      kind: 'http-429',
      target: 'adminapi',
      cmdlet: 'Set-CASMailbox',
      count: 1,
      retryAfterSeconds: 0.3,
    });
    const command = commandFor(world, mailboxAt(world, 4), {
      kind: 'allow-device',
      deviceId: 'ApplRETR00000001',
    });
    await send(world, [command]);
    const [result] = await resultsFor(world, [command]);
    expect(result).toMatchObject({ outcome: 'applied', attempts: 3 });
  });

  it('keeps a command pending through an outage longer than the client retries, then applies it', async () => {
    // Seven 503s: the tenant's circuit opens after five, the command waits for it to half-open.
    world.sandbox.sandbox.faults.inject({
      kind: 'http-503',
      target: 'adminapi',
      cmdlet: 'Set-CASMailbox',
      count: 7,
    });
    const command = commandFor(world, mailboxAt(world, 5), {
      kind: 'block-device',
      deviceId: 'ApplOUTG00000001',
    });
    await send(world, [command]);
    const [result] = await resultsFor(world, [command]);
    expect(result.outcome).toBe('applied');
    expect(world.sandbox.sandbox.faults.list()).toHaveLength(0);
  });

  it('dead-letters a command whose payload breaks the contract', async () => {
    const broken = {
      ...commandFor(world, mailboxAt(world, 6), { kind: 'allow-device', deviceId: 'x' }),
      commandId: 'not-a-uuid',
    };
    const eventId = randomUUID();
    await send(world, [broken], () => eventId);
    const dead = await waitFor('the invalid command in the dead-letter topic', () =>
      world.recorder
        .on(deadLetterTopicOf(Topics.ExchangeCommand))
        .find((r) => (JSON.parse(r.value!.toString()) as { id: string }).id === eventId),
    );
    expect(dead.headers['x-easgate-dlq-retriable']).toBe('false');
  });

  it('publishes configuration drift after a baseline sync', async () => {
    const baseline = await api<{ baseline: boolean; drifts: number }>(
      world,
      'POST',
      `/v1/tenants/${world.tenant}/config-sync`,
    );
    expect(baseline.body).toMatchObject({ baseline: true, drifts: 0 });
    const command = commandFor(world, undefined, { kind: 'set-organization-default', level: 'Quarantine' });
    await send(world, [command]);
    const [result] = await resultsFor(world, [command]);
    expect(result).toMatchObject({
      outcome: 'applied',
      cmdlets: ['Get-ActiveSyncOrganizationSettings', 'Set-ActiveSyncOrganizationSettings'],
    });
    const sync = await api<{ syncId: string; drifts: number }>(
      world,
      'POST',
      `/v1/tenants/${world.tenant}/config-sync`,
    );
    expect(sync.body.drifts).toBe(1);
    const drift = await waitFor('the drift event', () =>
      world.recorder
        .on(Topics.ExchangeConfigDrift)
        .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeConfigDriftV1 }).data)
        .find((d) => d.syncId === sync.body.syncId),
    );
    expect(drift).toMatchObject({
      section: 'organization-settings',
      change: 'changed',
      before: { DefaultAccessLevel: 'Allow' },
      after: { DefaultAccessLevel: 'Quarantine' },
    });
  });

  it('answers the connection test over HTTP', async () => {
    const res = await api<{ ok: boolean; steps: unknown[] }>(
      world,
      'POST',
      `/v1/tenants/${world.tenant}/connection-test`,
    );
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
  });

  it('counts Exchange requests by cmdlet and outcome on /metrics', async () => {
    const res = await fetch(`${world.sut.url}/metrics`, {
      headers: { Authorization: `Bearer ${API_TOKEN}` },
    });
    const text = await res.text();
    expect(text).toMatch(/easgate_exchange_requests_total\{cmdlet="Set-CASMailbox",outcome="ok"\} \d+/);
    expect(text).toMatch(
      /easgate_exchange_requests_total\{cmdlet="Set-CASMailbox",outcome="EXO_UNAVAILABLE"\} \d+/,
    );
  });
});

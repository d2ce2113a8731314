import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClientAssertion, createSelfSignedCertificate, type SelfSignedCertificate } from '@easgate/auth';
import {
  createCloudEvent,
  encodeStructured,
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
import { exchangeExecutorService } from '../src';

const API_TOKEN = 'vault-mode-token';

interface VaultCall {
  method: string;
  url: string;
  authorization: string | undefined;
  audience?: string;
}

/**
 * A stand-in for the cert-vault's two endpoints the executor uses (the cert-vault is not committed
 * yet): the connection list and the signing contract. It signs like the vault does: the key stays here.
 */
function fakeVault(
  sandbox: RunningSandbox,
  appId: string,
  cert: SelfSignedCertificate,
  calls: VaultCall[],
  /** While `down` is true, every connection is dropped unanswered (the vault unreachable). */
  outage: { down: boolean } = { down: false },
): Server {
  const connection = {
    id: randomUUID(),
    tenantId: sandbox.tenantId,
    appId,
    organization: sandbox.organization,
    cloud: 'O365Default',
    authorityHost: sandbox.baseUrl,
    exchangeEndpoint: sandbox.baseUrl,
  };
  return createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const call: VaultCall = {
        method: req.method!,
        url: req.url!,
        authorization: req.headers.authorization,
      };
      calls.push(call);
      if (outage.down) {
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url!.startsWith('/v1/tenant-connections')) {
        res.end(JSON.stringify([connection]));
        return;
      }
      if (
        req.method === 'POST' &&
        req.url === `/internal/v1/tenant-connections/${connection.id}/client-assertion`
      ) {
        const { audience } = JSON.parse(body) as { audience: string };
        call.audience = audience;
        const signed = buildClientAssertion({
          clientId: appId,
          tokenEndpoint: audience,
          certificate: cert.certificate,
          privateKey: cert.privateKey,
          now: new Date(),
        });
        res.end(
          JSON.stringify({
            assertion: signed.assertion,
            thumbprintSha1: cert.facts.thumbprintSha1,
            expiresAt: signed.expiresAt.toISOString(),
          }),
        );
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ code: 'NOT_FOUND', message: 'no route' }));
    });
  });
}

async function sendCommands(commands: ExchangeCommandV1[]): Promise<void> {
  const producer = testKafka().producer();
  await producer.connect();
  await producer.send({
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
  await producer.disconnect();
}

describe('exchange-executor with the cert-vault contract', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let vault: Server;
  let db: TestDatabase;
  let bus: KafkaBus;
  let sut: RunningService;
  let recorder: TopicRecorder;
  const calls: VaultCall[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exo-executor-vault-'));
    const cert = await createSelfSignedCertificate({
      subject: 'CN=vault-held',
      password: 'x',
      now: new Date(),
    });
    const appId = randomUUID();
    sandbox = await startSandbox({
      tlsDir: join(dir, 'tls'),
      port: 0,
      tenantId: randomUUID(),
      mailboxes: 5,
      devices: 5,
      apps: [{ appId, certificates: [cert.pem] }],
    });
    vault = fakeVault(sandbox, appId, cert, calls);
    await new Promise<void>((r) => vault.listen(0, '127.0.0.1', r));
    db = await createTestDatabase();
    bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('executor-vault') });
    await bus.ensureTopics([Topics.ExchangeCommand, Topics.ExchangeResult]);
    recorder = await TopicRecorder.start([Topics.ExchangeResult]);
    sut = await startService(exchangeExecutorService(), {
      bus,
      databaseUrl: db.url,
      dataDir: join(dir, 'data'),
      apiToken: API_TOKEN,
      port: 0,
      consumerGroup: uniqueName('exchange-executor'),
      fromBeginning: false,
      peers: { 'cert-vault': `http://127.0.0.1:${(vault.address() as AddressInfo).port}` },
      env: {
        EASGATE_API_TOKEN: API_TOKEN,
        EXECUTOR_CA_FILE: sandbox.caPath,
        EXECUTOR_TENANTS: sandbox.tenantId,
        EXECUTOR_BATCH_WINDOW_MS: '100',
      },
    });
  });

  afterAll(async () => {
    await recorder?.stop();
    await sut?.close();
    await bus?.close();
    await db?.drop();
    await new Promise((r) => vault?.close(r));
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs commands with assertions the vault signs, one token for several mailboxes', async () => {
    const commands: ExchangeCommandV1[] = [1, 2, 3].map((seq) => ({
      commandId: randomUUID(),
      tenant: sandbox.tenantId,
      mailbox: sandbox.sandbox.store.mailboxBySeq(seq)!.userPrincipalName,
      action: { kind: 'block-device', deviceId: `ApplVAULT000000${seq}` },
      reason: 'MDM reports lost',
      requestedBy: 'policy-translator',
      requestedAt: new Date().toISOString(),
    }));
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
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
    await producer.disconnect();
    const ids = new Set(commands.map((c) => c.commandId));
    const results = await waitFor('three results', () => {
      const mine = recorder
        .on(Topics.ExchangeResult)
        .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeResultV1 }).data)
        .filter((d) => ids.has(d.commandId));
      return mine.length === 3 && mine;
    });
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied']);
    const signing = calls.filter((c) => c.method === 'POST');
    expect(signing).toEqual([
      {
        method: 'POST',
        url: expect.stringMatching(/client-assertion$/),
        // The executor's own short-lived service token, not the people's API token.
        authorization: expect.stringMatching(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/),
        audience: sandbox.tokenEndpoint,
      },
    ]);
    expect(sandbox.sandbox.counters.tokenRequests).toBe(1);
    // Other tests on the shared broker publish commands for other tenants: count only this tenant's lookups.
    expect(calls.filter((c) => c.method === 'GET' && c.url.includes(sandbox.tenantId))).toHaveLength(1);
  });
});

describe('exchange-executor while the cert-vault is unreachable', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let vault: Server;
  let db: TestDatabase;
  let bus: KafkaBus;
  let sut: RunningService;
  let recorder: TopicRecorder;
  const calls: VaultCall[] = [];
  const outage = { down: true };
  const MAX_ATTEMPTS = 2;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exo-executor-vault-outage-'));
    const cert = await createSelfSignedCertificate({
      subject: 'CN=vault-held',
      password: 'x',
      now: new Date(),
    });
    const appId = randomUUID();
    sandbox = await startSandbox({
      tlsDir: join(dir, 'tls'),
      port: 0,
      tenantId: randomUUID(),
      mailboxes: 2,
      devices: 2,
      apps: [{ appId, certificates: [cert.pem] }],
    });
    vault = fakeVault(sandbox, appId, cert, calls, outage);
    await new Promise<void>((r) => vault.listen(0, '127.0.0.1', r));
    db = await createTestDatabase();
    bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('executor-vault-outage') });
    await bus.ensureTopics([Topics.ExchangeCommand, Topics.ExchangeResult, Topics.ServiceHealth]);
    recorder = await TopicRecorder.start([Topics.ExchangeResult, Topics.ServiceHealth]);
    sut = await startService(exchangeExecutorService(), {
      bus,
      databaseUrl: db.url,
      dataDir: join(dir, 'data'),
      apiToken: API_TOKEN,
      port: 0,
      consumerGroup: uniqueName('exchange-executor'),
      fromBeginning: false,
      peers: { 'cert-vault': `http://127.0.0.1:${(vault.address() as AddressInfo).port}` },
      env: {
        EASGATE_API_TOKEN: API_TOKEN,
        EXECUTOR_CA_FILE: sandbox.caPath,
        EXECUTOR_TENANTS: sandbox.tenantId,
        EXECUTOR_BATCH_WINDOW_MS: '100',
        // A budget the outage outlasts many times over.
        EXECUTOR_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        EXECUTOR_RETRY_BASE_MS: '100',
      },
    });
  });

  afterAll(async () => {
    await recorder?.stop();
    await sut?.close();
    await bus?.close();
    await db?.drop();
    await new Promise((r) => vault?.close(r));
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the command pending past its attempt budget, reports the outage, and applies it once the vault is back', async () => {
    const mailbox = sandbox.sandbox.store.mailboxBySeq(1)!.userPrincipalName;
    const command: ExchangeCommandV1 = {
      commandId: randomUUID(),
      tenant: sandbox.tenantId,
      mailbox,
      action: { kind: 'block-device', deviceId: 'ApplOUTAGE000001' },
      reason: 'MDM reports lost',
      requestedBy: 'policy-translator',
      requestedAt: new Date().toISOString(),
    };
    await sendCommands([command]);
    const results = () =>
      recorder
        .on(Topics.ExchangeResult)
        .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeResultV1 }).data)
        .filter((d) => d.commandId === command.commandId);
    const health = () =>
      recorder
        .on(Topics.ServiceHealth)
        .map((r) => (JSON.parse(r.value!.toString()) as { data: ServiceHealthV1 }).data)
        .filter((d) => d.signal === 'circuit' && d.tenant === sandbox.tenantId);
    const lookups = () => calls.filter((c) => c.method === 'GET' && c.url.includes(sandbox.tenantId)).length;
    // Three times the attempt budget of tries against the unreachable vault, and no result.
    await waitFor('the vault tried past the attempt budget', () => lookups() >= 3 * MAX_ATTEMPTS, {
      timeoutMs: 60_000,
    });
    expect(results()).toEqual([]);
    await waitFor('the outage reported', () =>
      health().some((h) => h.signal === 'circuit' && h.state === 'open'),
    );
    const before = await fetch(`${sut.url}/v1/commands/${command.commandId}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({ status: 'pending', result: null });

    outage.down = false;
    const [result] = await waitFor(
      'the result once the vault is back',
      () => results().length > 0 && results(),
      {
        timeoutMs: 60_000,
      },
    );
    expect(result).toMatchObject({ outcome: 'applied', cmdlets: ['Set-CASMailbox'] });
    expect(results()).toHaveLength(1);
    await waitFor('the outage reported over', () =>
      health().some((h) => h.signal === 'circuit' && h.state === 'closed'),
    );
  });
});

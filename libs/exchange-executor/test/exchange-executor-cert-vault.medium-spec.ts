import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '@easgate/auth';
// An integration test of the signing contract with the real vault: tests may compose services.
import { certVaultService } from '@easgate/cert-vault';
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
import { exchangeExecutorService } from '../src';

describe('exchange-executor with the real cert-vault', () => {
  const apiToken = randomBytes(18).toString('base64url');
  let dir: string;
  let sandbox: RunningSandbox;
  let db: TestDatabase;
  let bus: KafkaBus;
  let vault: RunningService;
  let sut: RunningService;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exo-executor-cert-vault-'));
    const password = randomBytes(8).toString('hex');
    const cert = await createSelfSignedCertificate({ subject: 'CN=vault-held', password, now: new Date() });
    const appId = randomUUID();
    sandbox = await startSandbox({
      tlsDir: join(dir, 'tls'),
      port: 0,
      tenantId: randomUUID(),
      mailboxes: 3,
      devices: 3,
      apps: [{ appId, certificates: [cert.pem] }],
    });
    db = await createTestDatabase();
    bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('executor-cert-vault') });
    await bus.ensureTopics([Topics.ExchangeCommand, Topics.ExchangeResult]);
    recorder = await TopicRecorder.start([Topics.ExchangeResult]);
    vault = await startService(certVaultService(), {
      bus,
      databaseUrl: db.url,
      dataDir: join(dir, 'vault'),
      port: 0,
      apiToken,
      env: {
        VAULT_MASTER_KEY: randomBytes(32).toString('base64'),
        VAULT_EXTRA_CA_FILE: sandbox.caPath,
        VAULT_EXPIRY_SCANNER: 'false',
        EASGATE_ALLOWED_ENDPOINT_HOSTS: new URL(sandbox.baseUrl).host,
      },
      consumerGroup: uniqueName('cert-vault'),
      fromBeginning: false,
    });
    const call = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${vault.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiToken}`,
          'content-type': 'application/json',
          'x-easgate-actor': 'medium-test',
        },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string };
    };
    const connection = await call('POST', '/v1/tenant-connections', {
      tenantId: sandbox.tenantId,
      appId,
      organization: sandbox.organization,
      authorityHost: sandbox.baseUrl,
      exchangeEndpoint: sandbox.baseUrl,
    });
    await call('POST', `/v1/tenant-connections/${connection.id}/certificates/import`, {
      pfxBase64: cert.pfx.toString('base64'),
      password,
      activate: true,
    });
    sut = await startService(exchangeExecutorService(), {
      bus,
      databaseUrl: db.url,
      dataDir: join(dir, 'executor'),
      apiToken,
      port: 0,
      consumerGroup: uniqueName('exchange-executor'),
      fromBeginning: false,
      peers: { 'cert-vault': vault.url },
      env: {
        EASGATE_API_TOKEN: apiToken,
        EXECUTOR_CA_FILE: sandbox.caPath,
        EXECUTOR_TENANTS: sandbox.tenantId,
        EXECUTOR_BATCH_WINDOW_MS: '100',
      },
    });
  });

  afterAll(async () => {
    await recorder?.stop();
    await sut?.close();
    await vault?.close();
    await bus?.close();
    await db?.drop();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('blocks a device with a token whose assertion the vault signed (the key never leaves it)', async () => {
    const command: ExchangeCommandV1 = {
      commandId: randomUUID(),
      tenant: sandbox.tenantId,
      mailbox: sandbox.sandbox.store.mailboxBySeq(1)!.userPrincipalName,
      action: { kind: 'block-device', deviceId: 'ApplREALVAULT001' },
      reason: 'MDM reports lost',
      requestedBy: 'policy-translator',
      requestedAt: new Date().toISOString(),
    };
    const producer = testKafka().producer();
    await producer.connect();
    const record = encodeStructured(
      createCloudEvent({
        source: 'easgate/test',
        type: ExchangeEventTypes.Command,
        tenant: command.tenant,
        data: command,
      }),
      mailboxKey(command.tenant, command.mailbox),
    );
    await producer.send({
      topic: Topics.ExchangeCommand,
      messages: [{ key: record.key, value: record.value, headers: record.headers }],
    });
    await producer.disconnect();
    const result = await waitFor('the result', () =>
      recorder
        .on(Topics.ExchangeResult)
        .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeResultV1 }).data)
        .find((d) => d.commandId === command.commandId),
    );
    expect(result).toMatchObject({ outcome: 'applied', cmdlets: ['Set-CASMailbox'] });
    expect(sandbox.sandbox.audit.query({ kind: 'token' }).map((a) => a.outcome)).toEqual(['ok']);
  });
});

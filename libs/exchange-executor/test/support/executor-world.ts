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
import { exchangeExecutorService } from '../../src';

export interface ExecutorWorldOptions {
  /** Names the temporary directory, the Kafka client and the consumer group. */
  readonly name: string;
  /** The sandbox tenant's size (default 6 mailboxes, 12 devices). */
  readonly mailboxes?: number;
  readonly devices?: number;
  /** More executor configuration (EXECUTOR_…). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * One executor world for a medium spec: the Exchange sandbox over HTTPS with an app whose certificate
 * the executor holds (configured connection), a PostgreSQL database of its own, Kafka (commands in,
 * results recorded) and the executor itself over HTTP with an API token.
 */
export interface ExecutorWorld {
  readonly sandbox: RunningSandbox;
  readonly sut: RunningService;
  readonly db: TestDatabase;
  /** The sandbox's tenant id (GUID). */
  readonly tenant: string;
  /** A call to the executor's HTTP API with its API token. */
  api<T>(method: string, path: string): Promise<{ status: number; body: T }>;
  commandFor(mailbox: string, action: ExchangeActionV1): ExchangeCommandV1;
  /** Publishes a command as the translator does (CloudEvent, key = the mailbox). */
  send(command: ExchangeCommandV1): Promise<void>;
  /** Waits for the command's result on the results topic. */
  resultOf(command: ExchangeCommandV1): Promise<ExchangeResultV1>;
  close(): Promise<void>;
}

const API_TOKEN = 'executor-world-api-token';

export async function startExecutorWorld(options: ExecutorWorldOptions): Promise<ExecutorWorld> {
  const dir = mkdtempSync(join(tmpdir(), `exo-${options.name}-`));
  const cleanups: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const cert = await createSelfSignedCertificate({
      subject: `CN=easgate-${options.name}`,
      password: 'pfx-password',
      now: new Date(),
    });
    writeFileSync(join(dir, 'app.pfx'), cert.pfx);
    const appId = randomUUID();
    const sandbox = await startSandbox({
      tlsDir: join(dir, 'tls'),
      port: 0,
      tenantId: randomUUID(),
      mailboxes: options.mailboxes ?? 6,
      devices: options.devices ?? 12,
      seed: 9,
      apps: [{ appId, certificates: [cert.pem] }],
    });
    cleanups.push(() => sandbox.close());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName(options.name) });
    cleanups.push(() => bus.close());
    await bus.ensureTopics([
      Topics.ExchangeCommand,
      Topics.ExchangeResult,
      Topics.ServiceHealth,
      deadLetterTopicOf(Topics.ExchangeCommand),
    ]);
    const recorder = await TopicRecorder.start([Topics.ExchangeResult]);
    cleanups.push(() => recorder.stop());
    const sut = await startService(exchangeExecutorService(), {
      bus,
      databaseUrl: db.url,
      dataDir: join(dir, 'data'),
      apiToken: API_TOKEN,
      port: 0,
      consumerGroup: uniqueName('exchange-executor'),
      fromBeginning: false,
      env: {
        EXCHANGE_APP_ID: appId,
        EXCHANGE_ORGANIZATION: sandbox.organization,
        EXCHANGE_TENANT_ID: sandbox.tenantId,
        EXCHANGE_AUTHORITY_HOST: sandbox.baseUrl,
        EXCHANGE_CONNECTION_URI: sandbox.baseUrl,
        EXCHANGE_CERTIFICATE_FILE: join(dir, 'app.pfx'),
        EXCHANGE_CERTIFICATE_PASSWORD: 'pfx-password',
        EXECUTOR_CA_FILE: sandbox.caPath,
        EXECUTOR_TENANTS: sandbox.tenantId,
        EXECUTOR_BATCH_WINDOW_MS: '100',
        EXECUTOR_RETRY_BASE_MS: '20',
        ...options.env,
      },
    });
    cleanups.push(() => sut.close());
    const producer: Producer = testKafka().producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const tenant = sandbox.tenantId;

    return {
      sandbox,
      sut,
      db,
      tenant,
      async api<T>(method: string, path: string) {
        const res = await fetch(`${sut.url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${API_TOKEN}` },
        });
        return { status: res.status, body: (await res.json()) as T };
      },
      commandFor: (mailbox, action) => ({
        commandId: randomUUID(),
        tenant,
        mailbox,
        action,
        reason: 'MDM reports noncompliant',
        requestedBy: 'policy-translator',
        requestedAt: new Date().toISOString(),
      }),
      async send(command) {
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
      },
      resultOf: (command) =>
        waitFor(`the result of ${command.commandId}`, () =>
          recorder
            .on(Topics.ExchangeResult)
            .map((r) => (JSON.parse(r.value!.toString()) as { data: ExchangeResultV1 }).data)
            .find((d) => d.commandId === command.commandId),
        ),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

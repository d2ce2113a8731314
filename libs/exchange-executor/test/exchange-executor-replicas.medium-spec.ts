import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
import { exchangeExecutorService } from '../src';
import { CommandKinds } from '../src/domain/command-kinds';

const ROOT = resolve(__dirname, '../../..');
const LEASE_MS = 1500;
/** The broker's minimum: a killed member leaves the group this long after its last heartbeat. */
const SESSION_TIMEOUT_MS = 6000;

/** Shared by the tests of this file: the sandbox (Exchange), the certificate, a producer and a recorder. */
interface Fixture {
  dir: string;
  sandbox: RunningSandbox;
  env: Record<string, string>;
  producer: Producer;
  recorder: TopicRecorder;
}

/** One test world: its own database and consumer group, so leases and pending work are its own. */
interface Replicas {
  db: TestDatabase;
  group: string;
  children: ChildProcess[];
  services: RunningService[];
  buses: KafkaBus[];
}

const fixture = {} as Fixture;

async function setup(): Promise<Replicas> {
  return {
    db: await createTestDatabase(),
    group: uniqueName('executor-replicas'),
    children: [],
    services: [],
    buses: [],
  };
}

async function teardown(world: Replicas): Promise<void> {
  for (const child of world.children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const service of world.services) await service.close();
  for (const bus of world.buses) await bus.close();
  await world.db.drop();
}

/** An executor in its own OS process (so that it can be killed hard); resolves once it joined the group. */
async function startReplica(world: Replicas, extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'tools/bin/run-ts.js'), join(__dirname, 'support/executor-replica.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...fixture.env,
        ...extraEnv,
        REPLICA_DATABASE_URL: world.db.url,
        REPLICA_DATA_DIR: join(fixture.dir, `data-${randomUUID()}`),
        REPLICA_GROUP: world.group,
        LOG_LEVEL: 'warn',
        REPLICA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  world.children.push(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await waitFor('the replica joined its group', () => {
    if (child.exitCode !== null) throw new Error(`replica exited: ${out}`);
    return out.includes('ready');
  });
  return child;
}

/** An executor in this process, same database and group. */
async function startLocal(world: Replicas): Promise<RunningService> {
  const bus = new KafkaBus({
    brokers: testBrokers(),
    clientId: uniqueName('executor-local'),
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
  });
  world.buses.push(bus);
  const service = await startService(exchangeExecutorService(), {
    bus,
    databaseUrl: world.db.url,
    dataDir: join(fixture.dir, `data-${randomUUID()}`),
    apiToken: 'local-api-token-for-tests',
    port: 0,
    consumerGroup: world.group,
    fromBeginning: false,
    env: fixture.env,
  });
  world.services.push(service);
  return service;
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
  });
}

function commandFor(mailbox: string, action: ExchangeActionV1): ExchangeCommandV1 {
  return {
    commandId: randomUUID(),
    tenant: fixture.sandbox.tenantId,
    mailbox,
    action,
    reason: 'MDM reports noncompliant',
    requestedBy: 'policy-translator',
    requestedAt: new Date().toISOString(),
  };
}

async function send(commands: ExchangeCommandV1[]): Promise<void> {
  await fixture.producer.send({
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

/** Every delivery of a result event of these commands, in topic order. */
function deliveriesOf(commands: ExchangeCommandV1[]): { id: string; data: ExchangeResultV1 }[] {
  const wanted = new Set(commands.map((c) => c.commandId));
  return fixture.recorder
    .on(Topics.ExchangeResult)
    .map((r) => JSON.parse(r.value!.toString()) as { id: string; data: ExchangeResultV1 })
    .filter((e) => wanted.has(e.data.commandId));
}

/**
 * One entry per result event: a crashed relay may publish a committed row again (the outbox is
 * at-least-once; consumers drop the repeat by event id), which is not a second completion.
 */
function resultsOf(commands: ExchangeCommandV1[]): ExchangeResultV1[] {
  const seen = new Set<string>();
  return deliveriesOf(commands).flatMap((e) => (seen.has(e.id) ? [] : (seen.add(e.id), [e.data])));
}

/** Clear-MobileDevice calls Exchange accepted for a device (what a wipe "sent" means). */
function wipesRecorded(deviceIdentity: string): number {
  return fixture.sandbox.sandbox.audit
    .query({ action: 'Clear-MobileDevice' })
    .filter((a) => a.status === 200 && a.parameters?.['Identity'] === deviceIdentity).length;
}

/** The mailboxes and one EAS device of each (a wipe needs a partnership). */
function mailboxesWithEasDevices(
  count: number,
  skip = 0,
): { mailbox: string; deviceId: string; identity: string }[] {
  const store = fixture.sandbox.sandbox.store;
  const found: { mailbox: string; deviceId: string; identity: string }[] = [];
  for (let seq = 1; seq < store.mailboxSeqLimit && found.length < count + skip; seq++) {
    const mailbox = store.mailboxBySeq(seq);
    const device = mailbox?.devices
      .map((s) => store.deviceBySeq(s)!)
      .find((d) => d.clientType === 'EAS' && !d.wipe);
    if (mailbox && device)
      found.push({
        mailbox: mailbox.userPrincipalName,
        deviceId: device.deviceId,
        identity: store.deviceIdentity(device),
      });
  }
  return found.slice(skip);
}

describe('exchange-executor replicas', () => {
  beforeAll(async () => {
    fixture.dir = mkdtempSync(join(tmpdir(), 'exo-replicas-'));
    const cert = await createSelfSignedCertificate({
      subject: 'CN=easgate-replicas',
      password: 'pfx-password',
      now: new Date(),
    });
    writeFileSync(join(fixture.dir, 'app.pfx'), cert.pfx);
    const appId = randomUUID();
    fixture.sandbox = await startSandbox({
      tlsDir: join(fixture.dir, 'tls'),
      port: 0,
      tenantId: randomUUID(),
      mailboxes: 24,
      devices: 60,
      seed: 16,
      apps: [{ appId, certificates: [cert.pem] }],
      knobs: { latencyMs: 60 },
    });
    fixture.env = {
      EXCHANGE_APP_ID: appId,
      EXCHANGE_ORGANIZATION: fixture.sandbox.organization,
      EXCHANGE_TENANT_ID: fixture.sandbox.tenantId,
      EXCHANGE_AUTHORITY_HOST: fixture.sandbox.baseUrl,
      EXCHANGE_CONNECTION_URI: fixture.sandbox.baseUrl,
      EXCHANGE_CERTIFICATE_FILE: join(fixture.dir, 'app.pfx'),
      EXCHANGE_CERTIFICATE_PASSWORD: 'pfx-password',
      EXECUTOR_CA_FILE: fixture.sandbox.caPath,
      EXECUTOR_TENANTS: fixture.sandbox.tenantId,
      // The tenant enabled full wipes (off by default): the wipes below are not account-only.
      EXECUTOR_TENANT_COMMAND_KINDS: JSON.stringify({ [fixture.sandbox.tenantId]: CommandKinds }),
      EXECUTOR_BATCH_WINDOW_MS: '100',
      EXECUTOR_RETRY_BASE_MS: '50',
      EXECUTOR_PARALLEL_MAILBOXES: '4',
      EXECUTOR_LEASE_MS: String(LEASE_MS),
    };
    const admin = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('replicas-admin') });
    await admin.ensureTopics([
      Topics.ExchangeCommand,
      Topics.ExchangeResult,
      deadLetterTopicOf(Topics.ExchangeCommand),
    ]);
    await admin.close();
    fixture.recorder = await TopicRecorder.start([Topics.ExchangeResult]);
    fixture.producer = testKafka().producer();
    await fixture.producer.connect();
  });

  afterAll(async () => {
    await fixture.producer?.disconnect();
    await fixture.recorder?.stop();
    await fixture.sandbox?.close();
    rmSync(fixture.dir, { recursive: true, force: true });
  });

  it('hands the work of a replica killed mid-batch to the other, once each and in order per mailbox', async () => {
    const world = await setup();
    try {
      const targets = mailboxesWithEasDevices(8);
      const commands = targets.flatMap(({ mailbox, deviceId }, i) => [
        commandFor(mailbox, { kind: 'allow-device', deviceId: `ApplREPL${i}000001` }),
        commandFor(mailbox, { kind: 'block-device', deviceId: `ApplREPL${i}000002` }),
        commandFor(mailbox, { kind: 'wipe-device', deviceId, accountOnly: false }),
        commandFor(mailbox, { kind: 'allow-device', deviceId: `ApplREPL${i}000003` }),
        commandFor(mailbox, { kind: 'block-device', deviceId: `ApplREPL${i}000001` }),
      ]);
      const doomed = await startReplica(world);
      const started = Date.now();
      await send(commands);
      await waitFor('the first results of the doomed replica', () => resultsOf(commands).length >= 3);
      doomed.kill('SIGKILL');
      await killed(doomed);
      const killedAt = Date.now();
      await startLocal(world);
      await waitFor(
        'a result for every command',
        () => new Set(resultsOf(commands).map((r) => r.commandId)).size === commands.length,
      );

      const results = resultsOf(commands);
      const doubled = results.length - new Set(results.map((r) => r.commandId)).size;
      const redelivered = deliveriesOf(commands).length - results.length;
      const wipes = targets.map((t) => wipesRecorded(t.identity));
      // Figures, not assertions on time.
      process.stdout.write(
        `replica kill: commands ${commands.length}, results ${results.length}, doubled ${doubled}, ` +
          `republished by the outbox (same event id) ${redelivered}, ` +
          `wipes sent ${wipes.reduce((a, b) => a + b, 0)}/${targets.length}, results before kill ${resultsBefore(results, killedAt)}, ` +
          `all done ${Date.now() - started} ms after sending (${Date.now() - killedAt} ms after the kill)\n`,
      );
      expect(doubled).toBe(0);
      expect(results.every((r) => r.outcome !== 'failed')).toBe(true);
      expect(wipes).toEqual(targets.map(() => 1));
      for (const { mailbox } of targets) {
        const sent = commands.filter((c) => c.mailbox === mailbox).map((c) => c.commandId);
        expect(results.filter((r) => r.mailbox === mailbox).map((r) => r.commandId)).toEqual(sent);
      }
    } finally {
      await teardown(world);
    }
  });

  it('does not send a wipe again after a crash between the Exchange call and the commit', async () => {
    const world = await setup();
    try {
      const [target] = mailboxesWithEasDevices(1, 12);
      const wipe = commandFor(target.mailbox, {
        kind: 'wipe-device',
        deviceId: target.deviceId,
        accountOnly: false,
      });
      const doomed = await startReplica(world, { REPLICA_DIE_AFTER: 'Clear-MobileDevice' });
      await send([wipe]);
      await killed(doomed);
      expect(doomed.signalCode).toBe('SIGKILL');
      expect(wipesRecorded(target.identity)).toBe(1);
      expect(resultsOf([wipe])).toHaveLength(0);

      await startLocal(world);
      const [result] = await waitFor(
        'the wipe result',
        () => resultsOf([wipe]).length > 0 && resultsOf([wipe]),
      );
      expect(result).toMatchObject({ outcome: 'applied', wipe: { accountOnly: false, recovered: true } });
      expect(result.cmdlets).toContain('Get-MobileDeviceStatistics');
      expect(result.cmdlets).not.toContain('Clear-MobileDevice');
      expect(wipesRecorded(target.identity)).toBe(1);
    } finally {
      await teardown(world);
    }
  });
});

function resultsBefore(results: ExchangeResultV1[], at: number): number {
  return results.filter((r) => Date.parse(r.completedAt) < at).length;
}

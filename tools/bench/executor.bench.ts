import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '@easgate/auth';
import {
  createCloudEvent,
  decodeCloudEvent,
  encodeStructured,
  type ExchangeActionV1,
  type ExchangeCommandV1,
  ExchangeEventTypes,
  type ExchangeResultV1,
  mailboxKey,
  Topics,
} from '@easgate/contracts';
import { exchangeExecutorService } from '@easgate/exchange-executor';
import { startSandbox } from '@easgate/exo-sandbox';
import { createLogger, InProcessBus } from '@easgate/messaging';
import { startService } from '@easgate/service-runtime';
import { Client } from 'pg';
import { recordFigure } from './report';

const MAILBOXES = 1_000;
const CHANGES = 5_000;

interface Scenario {
  name: string;
  /** The figure's id in the report. */
  id: string;
  figure: string;
  latencyMs: number;
  /** 'bursts': a mailbox's changes arrive together; 'shuffled': all changes in random order. */
  order: 'bursts' | 'shuffled';
  /** The coalescing windows (EXECUTOR_BATCH_WINDOW_MS, EXECUTOR_MAX_BATCH_DELAY_MS). */
  windowMs: number;
  maxDelayMs: number;
  env: Record<string, string>;
}

/**
 * 5,000 device changes over 1,000 mailboxes, written at once (a policy change re-evaluating every
 * device: the events are all created before the first is published), through the whole executor
 * (in-process bus, PostgreSQL — BENCH_DATABASE_URL, default the local server, a fresh database per
 * scenario — real MSAL and HTTPS against the sandbox): Set-CASMailbox calls per mailbox changed,
 * beside the naive executor's one call per change event counted in the same run; token requests,
 * all calls, throughput. Reading 5,000 commands takes far longer than the windows on PostgreSQL
 * (one transaction each), which is what used to split a mailbox's changes.
 */
export async function runExecutorBench(): Promise<void> {
  const scenarios: Scenario[] = [
    // Worst case for coalescing: every mailbox's changes interleaved with everyone else's.
    {
      name: 'shuffled, 0 ms latency, 1 s / 2 s windows',
      id: 'executor.postgres.calls-per-change',
      figure: 'Set-CASMailbox calls per mailbox change, any arrival order, PostgreSQL',
      latencyMs: 0,
      order: 'shuffled',
      // The window the issue measured 4.45 calls/mailbox with.
      windowMs: 1000,
      maxDelayMs: 2000,
      env: {},
    },
    {
      name: 'in order, 100 ms latency, 250 ms / 1 s',
      id: 'executor.postgres.calls-per-change.in-order',
      figure: 'Set-CASMailbox calls per mailbox change, changes in order, PostgreSQL',
      latencyMs: 100,
      order: 'bursts',
      windowMs: 250,
      maxDelayMs: 1000,
      env: { EXECUTOR_TENANT_CONCURRENCY: '16' },
    },
  ];
  process.env['BENCH_DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = 'PostgreSQL';
  console.log(
    `executor: ${CHANGES.toLocaleString()} device changes over ${MAILBOXES.toLocaleString()} mailboxes (${database}, in-process bus)`,
  );
  console.log(
    'scenario                                      | token req | Set-CASMailbox | calls/mailbox | all calls | results | wall s | changes/s',
  );
  for (const scenario of scenarios) await runScenario(scenario);
}

async function runScenario(scenario: Scenario): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'executor-bench-'));
  const cert = await createSelfSignedCertificate({ subject: 'CN=bench', password: 'bench', now: new Date() });
  writeFileSync(join(dir, 'app.pfx'), cert.pfx);
  const appId = randomUUID();
  const sandbox = await startSandbox({
    tlsDir: join(dir, 'tls'),
    port: 0,
    mailboxes: MAILBOXES,
    devices: 100,
    seed: 5,
    apps: [{ appId, certificates: [cert.pem] }],
    knobs: { latencyMs: scenario.latencyMs },
  });
  const bus = new InProcessBus();
  const database = await freshDatabase();
  const logger = createLogger('bench');
  logger.level = 'warn';
  const service = await startService(exchangeExecutorService(), {
    bus,
    dataDir: join(dir, 'data'),
    ...(database && { databaseUrl: database.url }),
    apiToken: 'bench-token-0123456789',
    port: 0,
    logger,
    env: {
      EXCHANGE_APP_ID: appId,
      EXCHANGE_ORGANIZATION: sandbox.organization,
      EXCHANGE_TENANT_ID: sandbox.tenantId,
      EXCHANGE_AUTHORITY_HOST: sandbox.baseUrl,
      EXCHANGE_CONNECTION_URI: sandbox.baseUrl,
      EXCHANGE_CERTIFICATE_FILE: join(dir, 'app.pfx'),
      EXCHANGE_CERTIFICATE_PASSWORD: 'bench',
      EXECUTOR_CA_FILE: sandbox.caPath,
      EXECUTOR_TENANT_RATE_PER_SECOND: '0',
      EXECUTOR_BATCH_WINDOW_MS: String(scenario.windowMs),
      EXECUTOR_MAX_BATCH_DELAY_MS: String(scenario.maxDelayMs),
      ...scenario.env,
    },
  });
  const results = new Map<string, ExchangeResultV1>();
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const consumer = await bus.consume(
    { groupId: 'bench-results', topics: [Topics.ExchangeResult] },
    async (message) => {
      const decoded = decodeCloudEvent(message);
      if (!decoded.ok) return;
      const result = decoded.event.data as ExchangeResultV1;
      results.set(result.commandId, result);
      if (results.size === CHANGES) allDone();
    },
  );
  try {
    const upns = Array.from(
      { length: MAILBOXES },
      (_, i) => sandbox.sandbox.store.mailboxBySeq(i + 1)!.userPrincipalName,
    );
    const commands: ExchangeCommandV1[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const mailbox = upns[Math.floor(i / (CHANGES / MAILBOXES))];
      const deviceId = `ApplBENCH${String(i).padStart(7, '0')}`;
      const kinds: ExchangeActionV1['kind'][] = ['allow-device', 'block-device', 'quarantine-device'];
      const kind = kinds[i % 3];
      commands.push({
        commandId: randomUUID(),
        tenant: sandbox.tenantId,
        mailbox,
        action: { kind, deviceId } as ExchangeActionV1,
        reason: 'bench',
        requestedBy: 'bench',
        requestedAt: new Date().toISOString(),
      });
    }
    if (scenario.order === 'shuffled') {
      // Fisher–Yates: every order equally likely.
      for (let i = commands.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [commands[i], commands[j]] = [commands[j], commands[i]];
      }
    }
    // Written at once: every event is created (and stamped) before the first is published.
    const records = commands.map((data) =>
      encodeStructured(
        createCloudEvent({ source: 'bench', type: ExchangeEventTypes.Command, tenant: data.tenant, data }),
        mailboxKey(data.tenant, data.mailbox),
      ),
    );
    const tokensBefore = sandbox.sandbox.counters.tokenRequests;
    const callsBefore = totalCalls(sandbox.sandbox.counters.cmdletCalls);
    const started = Date.now();
    const publisher = bus.publisher();
    for (let i = 0; i < records.length; i += 500) {
      await publisher.publish(Topics.ExchangeCommand, records.slice(i, i + 500));
    }
    await done;
    const seconds = (Date.now() - started) / 1000;
    const setCalls = sandbox.sandbox.counters.cmdletCalls['Set-CASMailbox'] ?? 0;
    const failed = [...results.values()].filter((r) => r.outcome === 'failed').length;
    // The naive executor, measured on the same run's events: one Set-CASMailbox per change event.
    const changedMailboxes = new Set([...results.values()].map((r) => r.mailbox)).size;
    const naivePerMailbox = results.size / changedMailboxes;
    recordFigure({
      id: scenario.id,
      figure: scenario.figure,
      unit: 'calls/mailbox',
      value: Number((setCalls / changedMailboxes).toFixed(3)),
      better: 'lower',
      baseline: { label: 'one call per event', value: naivePerMailbox },
      goal: 1.05,
      note:
        `${CHANGES.toLocaleString('en-US')} changes written at once over ${changedMailboxes.toLocaleString('en-US')} mailboxes, ` +
        `${scenario.order === 'shuffled' ? 'read in random order' : "each mailbox's changes together"}, ` +
        `in-process bus (4 partitions) + PostgreSQL, sandbox ${scenario.latencyMs} ms/call, ` +
        `quiet window ${scenario.windowMs} ms, max delay ${scenario.maxDelayMs} ms, all done in ${seconds.toFixed(1)} s` +
        `${failed ? `, ${failed} failed` : ''}`,
    });
    console.log(
      [
        scenario.name.padEnd(45),
        String(sandbox.sandbox.counters.tokenRequests - tokensBefore).padStart(9),
        String(setCalls).padStart(14),
        (setCalls / MAILBOXES).toFixed(2).padStart(13),
        String(totalCalls(sandbox.sandbox.counters.cmdletCalls) - callsBefore).padStart(9),
        `${results.size}${failed ? ` (${failed} failed)` : ''}`.padStart(7),
        seconds.toFixed(1).padStart(6),
        Math.round(CHANGES / seconds)
          .toString()
          .padStart(9),
      ].join(' | '),
    );
  } finally {
    await consumer.stop();
    await service.close();
    await bus.close();
    await sandbox.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every cmdlet call the sandbox answered (changes, the device reads that report the state after, lookups). */
function totalCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((sum, n) => sum + n, 0);
}

async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const server = process.env['BENCH_DATABASE_URL'];
  if (!server) return undefined;
  const name = `easgate_bench_${Date.now().toString(36)}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

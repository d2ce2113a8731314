import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '@easgate/auth';
import { certVaultService } from '@easgate/cert-vault';
import { encodeStructured, Topics } from '@easgate/contracts';
import { exchangeExecutorService } from '@easgate/exchange-executor';
import { type AuditEntry, type RunningSandbox, startSandbox } from '@easgate/exo-sandbox';
import { KafkaBus } from '@easgate/messaging';
import { complianceEvent, policyTranslatorService } from '@easgate/policy-translator';
import { startService } from '@easgate/service-runtime';
import { createTestDatabase, type TestDatabase, testKafka, uniqueName } from '@easgate/testing';
import type { Producer } from 'kafkajs';
import { recordFigure } from './report';

/** Mailboxes the events are spread over (round robin): each gets rate/MAILBOXES events per second. */
const MAILBOXES = 100;
const SANDBOX_LATENCY_MS = 100;
const BATCH_WINDOW_MS = 1_000;
/** How long after the last event is due the bench waits for its Set-CASMailbox before giving up. */
const DRAIN_TIMEOUT_MS = 60_000;
const API_TOKEN = randomBytes(18).toString('base64url');

interface Phase {
  name: string;
  rate: number;
  seconds: number;
}

interface PhaseResult {
  p50: number;
  p99: number;
  events: number;
  /** Events never seen in a Set-CASMailbox before the drain timeout (counted at the timeout). */
  missing: number;
  /** Rate at which the producer really handed events to Kafka (acknowledged). */
  producedPerSecond: number;
  /** Events / (last Set-CASMailbox − first event due): what the pipeline as a whole kept up with. */
  deliveredPerSecond: number;
  /** Events of other tenants the translator handled meanwhile (the broker is shared). */
  foreign: number;
}

interface Pipeline {
  sandbox: RunningSandbox;
  tenant: string;
  upns: string[];
  producer: Producer;
  /** Set-CASMailbox calls the sandbox applied, as they are applied (the audit hook). */
  onSetCasMailbox: (listener: ((entry: AuditEntry, at: number) => void) | undefined) => void;
  /** Where the events are: handled by the translator, commands written and published, executor progress. */
  stages: () => Promise<string>;
  /** Events of other tenants the translator handled (other engineers' runs on the shared broker). */
  foreignEvents: () => Promise<number>;
  close: () => Promise<void>;
}

/**
 * End-to-end latency, MDM event → Set-CASMailbox at the sandbox: the policy translator, the
 * exchange executor and the cert vault (which signs the executor's client assertions) over the
 * real Kafka broker and PostgreSQL, the exo-sandbox over real HTTPS with 100 ms per call. An
 * open-loop producer sends compliance events to `easgate.mdm.compliance.v1` at a fixed rate (each
 * event a new device of one of 100 mailboxes, `compliant`, so each one needs an allow); an audit
 * hook in the sandbox stamps the Set-CASMailbox that carries its EAS device id. The latency of an
 * event counts from the moment it was due (not when the producer managed to send it), so a
 * producer or broker falling behind is counted, not hidden. Baseline: the same pipeline at 10
 * events/s (unloaded: what the batching window and two 100 ms calls cost alone).
 */
export async function runLatencyBench(): Promise<void> {
  process.env['KAFKA_BROKERS'] ??= '127.0.0.1:9092';
  process.env['TEST_DATABASE_URL'] ??=
    process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env['LOG_LEVEL'] ??= 'warn';
  console.log(
    `latency: translator + executor + vault on Kafka + PostgreSQL, sandbox over HTTPS at ${SANDBOX_LATENCY_MS} ms/call, ${MAILBOXES} mailboxes, batching window ${BATCH_WINDOW_MS} ms`,
  );
  console.log('phase            | events | produced/s | delivered/s |  p50 ms |  p99 ms | missing | foreign');
  // A fresh pipeline for each rate: what one rate leaves queued must not count against the next.
  const base = await withPipeline({ name: 'baseline 10/s', rate: 10, seconds: 10 });
  const k1 = await withPipeline({ name: '1k/s', rate: 1_000, seconds: 10 });
  const k5 = await withPipeline({ name: '5k/s', rate: 5_000, seconds: 5 });
  const baseline = (value: number) => ({ label: 'at 10 events/s', value });
  const note = (rate: number, r: PhaseResult) =>
    `${r.events.toLocaleString('en-US')} events at ${rate.toLocaleString('en-US')}/s open loop (each a new device, ${MAILBOXES} mailboxes), produced ${Math.round(r.producedPerSecond)}/s, pipeline delivered ${Math.round(r.deliveredPerSecond)}/s` +
    `${r.missing > 0 ? `, ${r.missing} not applied within ${DRAIN_TIMEOUT_MS / 1000} s (counted at the timeout: a lower bound)` : ''}; ` +
    `Kafka + PostgreSQL, sandbox ${SANDBOX_LATENCY_MS} ms/call, window ${BATCH_WINDOW_MS} ms, all services in one process`;
  for (const [id, rate, r, slack] of [
    ['1k', 1_000, k1, 1_000],
    ['5k', 5_000, k5, 2_000],
  ] as const) {
    recordFigure({
      id: `latency.${id}.p50`,
      figure: `MDM event → Set-CASMailbox p50 at ${id} events/s`,
      unit: 'ms',
      value: Math.round(r.p50),
      better: 'lower',
      baseline: baseline(Math.round(base.p50)),
      note: note(rate, r),
    });
    recordFigure({
      id: `latency.${id}.p99`,
      figure: `MDM event → Set-CASMailbox p99 at ${id} events/s`,
      unit: 'ms',
      value: Math.round(r.p99),
      better: 'lower',
      baseline: baseline(Math.round(base.p99)),
      goal: BATCH_WINDOW_MS + slack,
      note: note(rate, r),
    });
  }
}

/** Starts the services, warms them up (token, connections, first queries), runs one phase, stops them. */
async function withPipeline(phase: Phase): Promise<PhaseResult> {
  const pipeline = await startPipeline();
  try {
    await runPhase(pipeline, { name: 'warm-up', rate: 20, seconds: 1 }, { quiet: true });
    return await runPhase(pipeline, phase);
  } finally {
    await pipeline.close();
  }
}

async function runPhase(
  pipeline: Pipeline,
  phase: Phase,
  options: { quiet?: boolean } = {},
): Promise<PhaseResult> {
  const tag = `${phase.name.replace(/[^a-z0-9]/gi, '')}${randomBytes(3).toString('hex')}`.toUpperCase();
  const total = phase.rate * phase.seconds;
  const records = Array.from({ length: total }, (_, i) => {
    const event = complianceEvent({
      tenant: pipeline.tenant,
      userPrincipalName: pipeline.upns[i % pipeline.upns.length],
      mdmDeviceId: `lat-${tag}-${i}`,
      easDeviceIds: [`LAT${tag}${i}`],
      state: 'compliant',
      sequence: 1,
    });
    return encodeStructured(event, event.subject!);
  });
  const due = new Map<string, number>();
  const latencies: number[] = [];
  let lastApplied = 0;
  let allApplied: () => void = () => undefined;
  const applied = new Promise<void>((resolve) => (allApplied = resolve));
  pipeline.onSetCasMailbox((entry, at) => {
    for (const id of strings(entry.parameters)) {
      const dueAt = due.get(id);
      if (dueAt === undefined) continue;
      due.delete(id);
      latencies.push(at - dueAt);
      lastApplied = at;
    }
    if (latencies.length === total) allApplied();
  });

  const foreignBefore = await pipeline.foreignEvents();
  // Open loop: every few milliseconds, send what is due by now, without waiting for earlier sends.
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  let lastAcked = started;
  let sent = 0;
  while (sent < total) {
    const dueCount = Math.min(total, Math.floor(((performance.now() - started) / 1000) * phase.rate) + 1);
    if (dueCount > sent) {
      for (let i = sent; i < dueCount; i++) due.set(`LAT${tag}${i}`, started + (i * 1000) / phase.rate);
      // At most 500 records a produce request (a stalled loop must not build one over the broker's limit).
      for (let from = sent; from < dueCount; from += 500) {
        const batch = records.slice(from, Math.min(dueCount, from + 500));
        const send = pipeline.producer
          .send({
            topic: Topics.MdmCompliance,
            messages: batch.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
          })
          .then(() => void (lastAcked = performance.now()));
        send.catch(() => undefined); // awaited below; this only keeps a failure from being unhandled
        sends.push(send);
      }
      sent = dueCount;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(sends);
  const producedPerSecond = total / ((lastAcked - started) / 1000 || 1);
  const timeout = new Promise<void>((resolve) =>
    setTimeout(resolve, Math.max(0, started + phase.seconds * 1000 + DRAIN_TIMEOUT_MS - performance.now())),
  );
  const progress = setInterval(() => {
    if (options.quiet) return;
    void pipeline
      .stages()
      .then((stages) => console.log(`  ${phase.name}: ${latencies.length}/${total} applied; ${stages}`));
  }, 10_000);
  await Promise.race([applied, timeout]);
  clearInterval(progress);
  pipeline.onSetCasMailbox(undefined);
  const deadline = performance.now();
  const missing = due.size;
  for (const dueAt of due.values()) latencies.push(deadline - dueAt);
  latencies.sort((a, b) => a - b);
  const result: PhaseResult = {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    events: total,
    missing,
    producedPerSecond,
    deliveredPerSecond: (total - missing) / (((missing > 0 ? deadline : lastApplied) - started) / 1000),
    foreign: (await pipeline.foreignEvents()) - foreignBefore,
  };
  if (options.quiet) return result;
  console.log(
    [
      phase.name.padEnd(16),
      String(total).padStart(6),
      Math.round(producedPerSecond).toString().padStart(10),
      Math.round(result.deliveredPerSecond).toString().padStart(11),
      Math.round(result.p50).toString().padStart(7),
      Math.round(result.p99).toString().padStart(7),
      String(missing).padStart(7),
      String(result.foreign).padStart(7),
    ].join(' | '),
  );
  return result;
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** Every string inside cmdlet parameters (the device ids of Add/Remove hash tables and lists). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

async function startPipeline(): Promise<Pipeline> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'latency-bench-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const password = randomBytes(8).toString('hex');
    const cert = await createSelfSignedCertificate({
      subject: 'CN=latency-bench',
      password,
      now: new Date(),
    });
    const appId = randomUUID();
    const sandbox = await startSandbox({
      tlsDir: join(dir, 'tls'),
      port: 0,
      tenantId: randomUUID(),
      mailboxes: MAILBOXES,
      devices: MAILBOXES,
      seed: 7,
      apps: [{ appId, certificates: [cert.pem] }],
      knobs: { latencyMs: SANDBOX_LATENCY_MS },
    });
    closers.push(() => sandbox.close());
    // The hook: the sandbox's audit records each cmdlet call once it is applied, just before answering.
    let listener: ((entry: AuditEntry, at: number) => void) | undefined;
    const audit = sandbox.sandbox.audit;
    const record = audit.record.bind(audit);
    audit.record = (entry) => {
      const full = record(entry);
      if (listener && full.action === 'Set-CASMailbox' && full.outcome === 'ok')
        listener(full, performance.now());
      return full;
    };

    const databases: TestDatabase[] = [];
    for (let i = 0; i < 3; i++) {
      const db = await createTestDatabase('easgate_bench_latency');
      databases.push(db);
      closers.push(() => db.drop());
    }
    const bus = new KafkaBus({
      brokers: process.env['KAFKA_BROKERS']!.split(','),
      clientId: uniqueName('latency-bench'),
    });
    closers.push(() => bus.close());
    const common = { bus, apiToken: API_TOKEN, port: 0, fromBeginning: false } as const;
    const vault = await startService(certVaultService(), {
      ...common,
      databaseUrl: databases[0].url,
      dataDir: join(dir, 'vault'),
      consumerGroup: uniqueName('latency-vault'),
      env: {
        VAULT_MASTER_KEY: randomBytes(32).toString('base64'),
        VAULT_EXTRA_CA_FILE: sandbox.caPath,
        VAULT_EXPIRY_SCANNER: 'false',
        EASGATE_ALLOWED_ENDPOINT_HOSTS: new URL(sandbox.baseUrl).host,
      },
    });
    closers.push(() => vault.close());
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`${vault.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${API_TOKEN}`,
          'content-type': 'application/json',
          'x-easgate-actor': 'latency-bench',
        },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`vault ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const connection = await call('/v1/tenant-connections', {
      tenantId: sandbox.tenantId,
      appId,
      organization: sandbox.organization,
      authorityHost: sandbox.baseUrl,
      exchangeEndpoint: sandbox.baseUrl,
    });
    await call(`/v1/tenant-connections/${connection.id}/certificates/import`, {
      pfxBase64: cert.pfx.toString('base64'),
      password,
      activate: true,
    });
    const executor = await startService(exchangeExecutorService(), {
      ...common,
      databaseUrl: databases[1].url,
      dataDir: join(dir, 'executor'),
      consumerGroup: uniqueName('latency-executor'),
      peers: { 'cert-vault': vault.url },
      env: {
        EASGATE_API_TOKEN: API_TOKEN,
        EXECUTOR_CA_FILE: sandbox.caPath,
        EXECUTOR_TENANTS: sandbox.tenantId,
        EXECUTOR_BATCH_WINDOW_MS: String(BATCH_WINDOW_MS),
        EXECUTOR_TENANT_CONCURRENCY: '32',
        EXECUTOR_PARALLEL_MAILBOXES: '64',
        EXECUTOR_TENANT_RATE_PER_SECOND: '0',
      },
    });
    closers.push(() => executor.close());
    const translator = await startService(policyTranslatorService, {
      ...common,
      databaseUrl: databases[2].url,
      dataDir: join(dir, 'translator'),
      consumerGroup: uniqueName('latency-translator'),
      env: {},
    });
    closers.push(() => translator.close());
    const producer = testKafka().producer();
    await producer.connect();
    closers.push(() => producer.disconnect());
    return {
      sandbox,
      tenant: sandbox.tenantId,
      upns: Array.from(
        { length: MAILBOXES },
        (_, i) => sandbox.sandbox.store.mailboxBySeq(i + 1)!.userPrincipalName,
      ),
      producer,
      onSetCasMailbox: (l) => (listener = l),
      foreignEvents: async () =>
        Number(
          (
            await translator.database.dataSource.query<{ n: string }[]>(
              'SELECT count(*) AS n FROM compliance_event WHERE tenant <> $1',
              [sandbox.tenantId],
            )
          )[0].n,
        ),
      stages: async () => {
        const count = async (service: typeof translator, sql: string) =>
          Number((await service.database.dataSource.query<{ n: string }[]>(sql))[0].n);
        const [events, commands, unpublished, received, done] = await Promise.all([
          count(translator, 'SELECT count(*) AS n FROM compliance_event'),
          count(translator, 'SELECT count(*) AS n FROM translator_command'),
          count(translator, 'SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL'),
          count(executor, 'SELECT count(*) AS n FROM exchange_command_log'),
          count(executor, "SELECT count(*) AS n FROM exchange_command_log WHERE status <> 'pending'"),
        ]);
        return `translator ${events} events handled, ${commands} commands (${unpublished} unpublished); executor ${received} commands received, ${done} done; ${sandbox.sandbox.counters.cmdletCalls['Set-CASMailbox'] ?? 0} Set-CASMailbox`;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

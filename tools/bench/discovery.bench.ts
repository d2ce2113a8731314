import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '@easgate/auth';
import { startSandbox } from '@easgate/exo-sandbox';
import { createTestDatabase } from '@easgate/testing';
import { recordFigure } from './report';

const MAILBOXES = 100_000;
const DEVICES = 200_000;
const PAGE_SIZE = 1_000;
const SANDBOX_LATENCY_MS = 100;
/**
 * DISCOVERY_BENCH_EXECUTOR_HEAP_MB caps the executor's V8 heap, as a container's memory limit does
 * (Node sizes its heap from the cgroup limit); unset, V8 sizes it from this host's memory and
 * collects garbage lazily, so the peak RSS shows garbage as well as what discovery holds.
 */
const HEAP_CAP_MB = Number(process.env['DISCOVERY_BENCH_EXECUTOR_HEAP_MB'] ?? 0) || undefined;

interface ChildResult {
  state: string;
  mailboxes: number;
  devices: number;
  pages: number;
  seconds: number;
  idleRssMb: number;
  peakRssMb: number;
  error?: unknown;
}

/**
 * Discovery end to end: the sandbox seeded with 100k mailboxes and 200k devices answering each
 * page after 100 ms, the executor (its own process, PostgreSQL, real msal-node and HTTPS) runs a
 * full scan through its HTTP API: every device page, every CAS mailbox page, one snapshot row and
 * one inventory event per mailbox. Wall time from the request to the completed scan, and the
 * executor process's peak RSS (VmHWM), beside its RSS idle before the scan (same run).
 */
export async function runDiscoveryBench(): Promise<void> {
  process.env['TEST_DATABASE_URL'] ??=
    process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dir = mkdtempSync(join(tmpdir(), 'discovery-bench-'));
  const password = randomBytes(8).toString('hex');
  const cert = await createSelfSignedCertificate({
    subject: 'CN=discovery-bench',
    password,
    now: new Date(),
  });
  writeFileSync(join(dir, 'app.pfx'), cert.pfx, { mode: 0o600 });
  const appId = randomUUID();
  const sandbox = await startSandbox({
    tlsDir: join(dir, 'tls'),
    port: 0,
    tenantId: randomUUID(),
    mailboxes: MAILBOXES,
    devices: DEVICES,
    seed: 3,
    apps: [{ appId, certificates: [cert.pem] }],
    knobs: { latencyMs: SANDBOX_LATENCY_MS },
  });
  const db = await createTestDatabase('easgate_bench_discovery');
  try {
    const floorSeconds = (Math.ceil(MAILBOXES / PAGE_SIZE) + Math.ceil(DEVICES / PAGE_SIZE)) * 0.1;
    console.log(
      `discovery: sandbox seeded with ${MAILBOXES.toLocaleString('en-US')} mailboxes / ${DEVICES.toLocaleString('en-US')} devices in ${(sandbox.sandbox.seedDurationMs / 1000).toFixed(1)} s; ${SANDBOX_LATENCY_MS} ms a page of ${PAGE_SIZE} (${floorSeconds} s of latency alone)`,
    );
    const result = await runExecutorChild({
      databaseUrl: db.url,
      dataDir: join(dir, 'executor'),
      tenant: sandbox.tenantId,
      env: {
        EXCHANGE_APP_ID: appId,
        EXCHANGE_ORGANIZATION: sandbox.organization,
        EXCHANGE_TENANT_ID: sandbox.tenantId,
        EXCHANGE_AUTHORITY_HOST: sandbox.baseUrl,
        EXCHANGE_CONNECTION_URI: sandbox.baseUrl,
        EXCHANGE_CERTIFICATE_FILE: join(dir, 'app.pfx'),
        EXCHANGE_CERTIFICATE_PASSWORD: password,
        EXECUTOR_CA_FILE: sandbox.caPath,
        EXECUTOR_TENANT_RATE_PER_SECOND: '0',
        EXECUTOR_PAGE_SIZE: String(PAGE_SIZE),
      },
    });
    console.log(
      `discovery: ${result.state}: ${result.mailboxes.toLocaleString('en-US')} mailboxes, ${result.devices.toLocaleString('en-US')} devices, ${result.pages} pages in ${result.seconds.toFixed(1)} s; executor RSS ${result.idleRssMb.toFixed(0)} MB idle, peak ${result.peakRssMb.toFixed(0)} MB`,
    );
    if (result.state !== 'completed' || result.mailboxes !== MAILBOXES || result.devices !== DEVICES)
      throw new Error(`discovery did not see everything: ${JSON.stringify(result)}`);
    const note = `${MAILBOXES.toLocaleString('en-US')} mailboxes + ${DEVICES.toLocaleString('en-US')} devices, ${result.pages} pages of ${PAGE_SIZE} at ${SANDBOX_LATENCY_MS} ms (${floorSeconds} s of page latency alone), executor in its own process on PostgreSQL, in-process bus (SQLite log), sandbox over HTTPS`;
    recordFigure({
      id: 'discovery.100k.seconds',
      figure: 'discovery of 100k mailboxes + 200k devices, wall time',
      unit: 's',
      value: Math.round(result.seconds * 10) / 10,
      better: 'lower',
      goal: 60,
      note: `${note}; no baseline: the floor is the page latency above`,
    });
    recordFigure({
      id: 'discovery.100k.rss-mb',
      figure: 'discovery of 100k mailboxes + 200k devices, executor peak RSS',
      unit: 'MB',
      value: Math.round(result.peakRssMb),
      better: 'lower',
      baseline: { label: 'the same executor idle before the scan', value: Math.round(result.idleRssMb) },
      goal: 300,
      note: `${note}; peak = VmHWM of the executor process (run from TypeScript source: the idle figure includes the in-process compiler), V8 heap ${HEAP_CAP_MB ? `capped at ${HEAP_CAP_MB} MB (DISCOVERY_BENCH_EXECUTOR_HEAP_MB)` : "sized from this host's memory (no container limit)"}`,
    });
  } finally {
    await sandbox.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function runExecutorChild(config: {
  databaseUrl: string;
  dataDir: string;
  tenant: string;
  env: Record<string, string>;
}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(HEAP_CAP_MB ? [`--max-old-space-size=${HEAP_CAP_MB}`] : []),
        join(__dirname, '../bin/run-ts.js'),
        join(__dirname, 'discovery-executor.ts'),
      ],
      {
        env: { ...process.env, LOG_LEVEL: 'warn', DISCOVERY_BENCH: JSON.stringify(config) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('DISCOVERY_RESULT '));
      if (code !== 0 || !line)
        return reject(new Error(`the discovery executor exited with ${code}: ${out.slice(-2000)}`));
      resolve(JSON.parse(line.slice('DISCOVERY_RESULT '.length)) as ChildResult);
    });
  });
}

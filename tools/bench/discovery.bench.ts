import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { createSelfSignedCertificate } from '@easgate/auth';
import { startSandbox } from '@easgate/exo-sandbox';
import { createTestDatabase } from '@easgate/testing';
import { compileEntry } from '../build/build';
import { recordFigure } from './report';

const MAILBOXES = 100_000;
const DEVICES = 200_000;
const PAGE_SIZE = 1_000;
const SANDBOX_LATENCY_MS = 100;
const ROOT = resolve(__dirname, '../..');

/**
 * The executor's memory limit in the Helm chart (services.exchange-executor.resources.limits.memory),
 * in MiB: what a deployed executor runs under.
 */
function chartMemoryLimitMb(): number {
  const values = load(readFileSync(join(ROOT, 'deploy/helm/easgate/values.yaml'), 'utf8')) as {
    services: Record<string, { resources: { limits: { memory: string } } }>;
  };
  const limit = values.services['exchange-executor'].resources.limits.memory;
  const match = /^(\d+)(Mi|Gi)$/.exec(limit);
  if (!match) throw new Error(`unexpected memory limit in values.yaml: ${limit}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

/**
 * V8's heap as Node sizes it in that container (no NODE_OPTIONS in the image or the chart): Node
 * configures V8 from the cgroup limit, and V8 (x64) gives the old generation a quarter of it times
 * two, the young generation 3 semi-spaces of old/128 (`Heap::HeapSizeFromPhysicalMemory`). The
 * flags reproduce that on a host without the limit. DISCOVERY_BENCH_EXECUTOR_HEAP_MB overrides the
 * old generation (0: V8 sized from this host's memory, as no container would).
 */
function productionHeapFlags(): { flags: string[]; label: string } {
  const override = process.env['DISCOVERY_BENCH_EXECUTOR_HEAP_MB'];
  if (override === '0')
    return { flags: [], label: "V8 heap sized from this host's memory (no container limit)" };
  const limitMb = chartMemoryLimitMb();
  const oldMb = override !== undefined ? Number(override) : (limitMb / 4) * 2;
  const semiMb = Math.max(1, Math.round(oldMb / 128));
  return {
    flags: [`--max-old-space-size=${oldMb}`, `--max-semi-space-size=${semiMb}`],
    label:
      override !== undefined
        ? `V8 old space capped at ${oldMb} MB (DISCOVERY_BENCH_EXECUTOR_HEAP_MB)`
        : `V8 heap as in the chart's ${limitMb} MiB pod: old space ${oldMb} MB, semi-space ${semiMb} MB`,
  };
}

interface ChildResult {
  state: string;
  mailboxes: number;
  devices: number;
  pages: number;
  seconds: number;
  idleRssMb: number;
  idleHeapUsedMb: number;
  peakRssMb: number;
  /** Sampled every 250 ms during the scan: V8's used heap, and memory outside it (Buffers, SQLite). */
  peakHeapUsedMb: number;
  peakExternalMb: number;
  /** The heap after each full collection during the scan (the live set): first, last, largest. */
  fullCollections: number;
  firstLiveHeapMb: number;
  lastLiveHeapMb: number;
  maxLiveHeapMb: number;
  liveHeapByTenthMb: number[];
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
    const heap = productionHeapFlags();
    const result = await runExecutorChild(heap.flags, {
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
      `discovery: ${result.state}: ${result.mailboxes.toLocaleString('en-US')} mailboxes, ${result.devices.toLocaleString('en-US')} devices, ${result.pages} pages in ${result.seconds.toFixed(1)} s; executor RSS ${result.idleRssMb.toFixed(0)} MB idle, peak ${result.peakRssMb.toFixed(0)} MB (heap used ${result.idleHeapUsedMb.toFixed(0)} MB idle, ≤ ${result.peakHeapUsedMb.toFixed(0)} MB, external ≤ ${result.peakExternalMb.toFixed(0)} MB; live heap after ${result.fullCollections} full GCs: first ${result.firstLiveHeapMb.toFixed(0)} MB, last ${result.lastLiveHeapMb.toFixed(0)} MB, max ${result.maxLiveHeapMb.toFixed(0)} MB, by tenth of the scan ${result.liveHeapByTenthMb.join('/')} MB; ${heap.label})`,
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
      note: `${note}; peak = VmHWM of the executor process, run as the image runs it (compiled JavaScript from the production build, NODE_ENV=production), ${heap.label}; heap used ${result.idleHeapUsedMb.toFixed(0)} MB idle, peak ${result.peakHeapUsedMb.toFixed(0)} MB (sampled every 250 ms); live heap after full GCs ${result.firstLiveHeapMb.toFixed(0)} MB at the first, ${result.lastLiveHeapMb.toFixed(0)} MB at the last (${result.fullCollections} during the scan)`,
    });
  } finally {
    await sandbox.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The harness compiled as the production build compiles the apps (no compiler in the process). */
function compiledHarness(): string {
  const outDir = join(ROOT, 'dist', 'bench', 'discovery-executor');
  compileEntry(join(__dirname, 'discovery-executor.ts'), outDir);
  return join(outDir, 'tools', 'bench', 'discovery-executor.js');
}

function runExecutorChild(
  nodeFlags: string[],
  config: {
    databaseUrl: string;
    dataDir: string;
    tenant: string;
    env: Record<string, string>;
  },
): Promise<ChildResult> {
  const harness = compiledHarness();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, harness], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        DISCOVERY_BENCH: JSON.stringify(config),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
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

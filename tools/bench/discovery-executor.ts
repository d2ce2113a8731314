import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { exchangeExecutorService } from '@easgate/exchange-executor';
import { createLogger, InProcessBus } from '@easgate/messaging';
import { startService } from '@easgate/service-runtime';

/**
 * The executor side of `discovery.bench.ts`, in a process of its own so that its RSS is the
 * executor's alone (the seeded sandbox lives in the bench process), compiled by the production build
 * and run by plain `node` as the image runs the executor. Configured by the
 * DISCOVERY_BENCH environment variable (JSON; it carries the certificate password, so never argv);
 * prints one line `DISCOVERY_RESULT {json}` on stdout.
 */
interface ChildConfig {
  databaseUrl: string;
  dataDir: string;
  env: Record<string, string>;
  tenant: string;
}

const API_TOKEN = 'discovery-bench-token-0123456789';

/** Kilobytes of a `/proc/self/status` line (VmRSS: now, VmHWM: the peak since the process started). */
function procStatusMb(field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return line ? Number(/(\d+)/.exec(line)![1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

/** A `gc` performance entry (Node puts the collection's kind in `detail`, untyped in @types/node). */
type GcEntry = PerformanceEntry & { detail?: { kind?: number } };

async function main(): Promise<void> {
  const config = JSON.parse(process.env['DISCOVERY_BENCH'] ?? '{}') as ChildConfig;
  const logger = createLogger('discovery-bench');
  logger.level = 'warn';
  // The published inventory events go to an SQLite log on disk, not to the broker other engineers'
  // tests read, and not to memory (which would count against the executor).
  const bus = InProcessBus.durable(join(config.dataDir, 'bus.sqlite'));
  const service = await startService(exchangeExecutorService(), {
    bus,
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    apiToken: API_TOKEN,
    port: 0,
    logger,
    env: config.env,
  });
  try {
    const call = async <T>(method: string, path: string): Promise<T> => {
      const res = await fetch(`${service.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_TOKEN}` },
      });
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    };
    const idleRssMb = procStatusMb('VmRSS');
    const idleHeapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
    // The heap right after each full collection: what is still referenced (the live set). Whether
    // it grows from the first to the last page says whether discovery holds more as the scan goes.
    const liveHeapMb: number[] = [];
    const collections = new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if ((entry as GcEntry).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
          liveHeapMb.push(process.memoryUsage().heapUsed / 2 ** 20);
    });
    collections.observe({ entryTypes: ['gc'] });
    const started = performance.now();
    const scan = await call<{ scanId: string }>('POST', `/v1/tenants/${config.tenant}/discovery`);
    let status: { state: string; mailboxes: number; devices: number; pages: number; error?: unknown };
    let peakHeapUsed = 0;
    let peakExternal = 0;
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const memory = process.memoryUsage();
      peakHeapUsed = Math.max(peakHeapUsed, memory.heapUsed);
      peakExternal = Math.max(peakExternal, memory.external);
      status = await call('GET', `/v1/discovery/scans/${scan.scanId}`);
    } while (status.state === 'running');
    const seconds = (performance.now() - started) / 1000;
    collections.disconnect();
    const result = {
      ...status,
      seconds,
      idleRssMb,
      idleHeapUsedMb,
      peakRssMb: procStatusMb('VmHWM'),
      peakHeapUsedMb: peakHeapUsed / 2 ** 20,
      peakExternalMb: peakExternal / 2 ** 20,
      fullCollections: liveHeapMb.length,
      firstLiveHeapMb: liveHeapMb[0] ?? 0,
      lastLiveHeapMb: liveHeapMb.at(-1) ?? 0,
      maxLiveHeapMb: Math.max(0, ...liveHeapMb),
      // The live set at each tenth of the scan's full collections: flat means nothing accumulates.
      liveHeapByTenthMb: Array.from({ length: 10 }, (_, i) =>
        Math.round(liveHeapMb[Math.floor(((i + 1) * liveHeapMb.length) / 10) - 1] ?? 0),
      ),
    };
    console.log(`DISCOVERY_RESULT ${JSON.stringify(result)}`);
  } finally {
    await service.close();
    await bus.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exchangeExecutorService } from '@easgate/exchange-executor';
import { createLogger, InProcessBus } from '@easgate/messaging';
import { startService } from '@easgate/service-runtime';

/**
 * The executor side of `discovery.bench.ts`, in a process of its own so that its RSS is the
 * executor's alone (the seeded sandbox lives in the bench process). Configured by the
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
    const started = performance.now();
    const scan = await call<{ scanId: string }>('POST', `/v1/tenants/${config.tenant}/discovery`);
    let status: { state: string; mailboxes: number; devices: number; pages: number; error?: unknown };
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = await call('GET', `/v1/discovery/scans/${scan.scanId}`);
    } while (status.state === 'running');
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `DISCOVERY_RESULT ${JSON.stringify({ ...status, seconds, idleRssMb, peakRssMb: procStatusMb('VmHWM') })}`,
    );
  } finally {
    await service.close();
    await bus.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

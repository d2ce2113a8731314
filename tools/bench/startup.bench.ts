import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { buildApp } from '../build/build';

/**
 * Start-up time of each app, from process spawn to ready: the services to a 200 on /health/ready (on the
 * real Kafka broker and PostgreSQL), the sandbox to its "listening" line, the CLI to `--help`'s exit.
 * Run from the TypeScript source through the SWC runner (what developers run) and from the compiled
 * dist/ (what the image runs). `npm run bench -- startup`; BENCH_STARTUP_RUNS (default 3) runs each.
 */
const ROOT = resolve(__dirname, '../..');
const SERVICES = ['cert-vault', 'exchange-executor', 'policy-translator', 'alerting'] as const;
const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const ADMIN_URL = process.env['DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_PORT = 20_900;

type Mode = 'source' | 'dist';

function commandOf(app: string, mode: Mode): string[] {
  if (mode === 'dist') return [join(ROOT, 'dist/apps', app, 'main.js')];
  // The CLI's main.ts exports main(argv); tools/bin/easgate.js is how developers run it.
  return app === 'cli'
    ? [join(ROOT, 'tools/bin/easgate.js')]
    : [join(ROOT, 'tools/bin/run-ts.js'), join(ROOT, 'apps', app, 'src/main.ts')];
}

async function withDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `easgate_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

async function readyAt(url: string, exited: () => boolean): Promise<void> {
  for (;;) {
    if (exited()) throw new Error(`exited before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Milliseconds from spawn to ready; the process is stopped (SIGTERM) afterwards. */
async function timeService(app: string, mode: Mode): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'easgate-bench-'));
  try {
    return await withDatabase(async (databaseUrl) => {
      const port = BENCH_PORT;
      const env = {
        ...process.env,
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: BROKERS,
        DATABASE_URL: databaseUrl,
        EASGATE_DATA_DIR: dataDir,
        EASGATE_API_TOKEN: randomBytes(16).toString('hex'),
        VAULT_MASTER_KEY: randomBytes(32).toString('base64'),
        ALERTING_SECRETS_KEY: randomBytes(32).toString('base64'),
        PORT: String(port),
      };
      const started = performance.now();
      const child = spawn(process.execPath, commandOf(app, mode), {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let tail = '';
      child.stdout.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-2000)));
      let exited = false;
      const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
      try {
        await readyAt(`http://127.0.0.1:${port}/health/ready`, () => exited).catch((err: Error) => {
          throw new Error(`${app} (${mode}): ${err.message}\n${tail}`);
        });
        return performance.now() - started;
      } finally {
        child.kill('SIGTERM');
        await exit;
      }
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function timeUntil(
  app: string,
  mode: Mode,
  args: string[],
  env: NodeJS.ProcessEnv,
  done: RegExp | 'exit',
) {
  const started = performance.now();
  const child = spawn(process.execPath, [...commandOf(app, mode), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  return new Promise<number>((resolvePromise, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (done !== 'exit' && done.test(output)) {
        resolvePromise(performance.now() - started);
        child.kill('SIGTERM');
      }
    });
    child.once('exit', (code) => {
      if (done === 'exit' && code === 0) resolvePromise(performance.now() - started);
      else reject(new Error(`${app} exited with ${code}`));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function runStartupBench(): Promise<void> {
  const runs = Number(process.env['BENCH_STARTUP_RUNS'] ?? 3);
  for (const app of [...SERVICES, 'exo-sandbox', 'cli']) buildApp(app);
  const tlsDir = mkdtempSync(join(tmpdir(), 'easgate-bench-tls-'));
  const measure: Record<string, (mode: Mode) => Promise<number>> = {
    ...Object.fromEntries(SERVICES.map((s) => [s, (mode: Mode) => timeService(s, mode)])),
    'exo-sandbox': (mode) =>
      timeUntil(
        'exo-sandbox',
        mode,
        [],
        { EXO_SANDBOX_TLS_DIR: tlsDir, EXO_SANDBOX_PORT: String(BENCH_PORT + 1) },
        /exo-sandbox listening/,
      ),
    'cli --help': (mode) => timeUntil('cli', mode, ['--help'], {}, 'exit'),
  };
  console.log(`start-up: spawn → ready, median of ${runs} runs (Kafka ${BROKERS}, PostgreSQL)`);
  console.log(`${'app'.padEnd(20)}${'source (SWC runner)'.padStart(22)}${'dist (compiled)'.padStart(18)}`);
  try {
    for (const [app, time] of Object.entries(measure)) {
      const figures: Record<Mode, number[]> = { source: [], dist: [] };
      for (let i = 0; i < runs; i++) {
        for (const mode of ['source', 'dist'] as const) figures[mode].push(await time(mode));
      }
      console.log(
        `${app.padEnd(20)}${`${median(figures.source).toFixed(0)} ms`.padStart(22)}` +
          `${`${median(figures.dist).toFixed(0)} ms`.padStart(18)}`,
      );
    }
  } finally {
    rmSync(tlsDir, { recursive: true, force: true });
  }
}

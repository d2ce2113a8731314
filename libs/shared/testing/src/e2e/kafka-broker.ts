import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths';

const run = promisify(execFile);

export interface E2eKafkaBrokerOptions {
  /** Its own KAFKA_HOME_DIR (under /tmp): data, pid, broker.log. */
  homeDir: string;
  port: number;
  controllerPort: number;
}

/**
 * A Kafka broker of the suite's own (tools/kafka/kafka.sh in a home dir of its own), so that a scenario
 * can kill -9 it without touching the shared broker. Starts on a freshly formatted data dir; `restart`
 * keeps the data dir (KAFKA_KEEP_DATA=1), as a broker coming back after a crash.
 */
export class E2eKafkaBroker {
  private constructor(readonly options: E2eKafkaBrokerOptions) {}

  static async start(options: E2eKafkaBrokerOptions): Promise<E2eKafkaBroker> {
    mkdirSync(options.homeDir, { recursive: true });
    const sharedLibs = join(REPO_ROOT, '.kafka', 'libs');
    const libs = join(options.homeDir, 'libs');
    // The jars fetched once for the shared broker; kafka.sh fetches them itself when they are missing.
    if (!existsSync(libs) && existsSync(sharedLibs)) symlinkSync(sharedLibs, libs);
    const broker = new E2eKafkaBroker(options);
    await broker.stopIfRunning();
    await broker.script('start', false);
    return broker;
  }

  get brokers(): string {
    return `127.0.0.1:${this.options.port}`;
  }

  get logFile(): string {
    return join(this.options.homeDir, 'broker.log');
  }

  get pid(): number | undefined {
    const file = join(this.options.homeDir, 'broker.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  }

  /** kill -9 of the broker; resolves once the process is gone. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined || !alive(pid)) return;
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
  }

  /** Starts again on the same data dir (after `kill`). */
  async restart(): Promise<void> {
    await this.script('start', true);
  }

  async stop(): Promise<void> {
    await this.script('stop', false);
  }

  private async stopIfRunning(): Promise<void> {
    const pid = this.pid;
    if (pid !== undefined && alive(pid)) await this.stop();
  }

  private async script(verb: 'start' | 'stop', keepData: boolean): Promise<void> {
    try {
      await run('bash', [join(REPO_ROOT, 'tools/kafka/kafka.sh'), verb], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          KAFKA_HOME_DIR: this.options.homeDir,
          KAFKA_PORT: String(this.options.port),
          KAFKA_CONTROLLER_PORT: String(this.options.controllerPort),
          KAFKA_KEEP_DATA: keepData ? '1' : '0',
          KAFKA_HEAP: process.env['E2E_KAFKA_HEAP'] ?? '384m',
        },
        timeout: 180_000,
      });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kafka.sh ${verb} failed: ${e.stderr ?? e.message} (log: ${this.logFile})`);
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

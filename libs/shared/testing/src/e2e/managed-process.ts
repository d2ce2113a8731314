import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { ProcessCommand } from './process-command';
import { REPO_ROOT } from './paths';

export interface ManagedProcessOptions {
  /** Shown in errors and in the log's start markers. */
  name: string;
  command: ProcessCommand;
  env: NodeJS.ProcessEnv;
  /** Every start of the process appends its stdout and stderr here. */
  logFile: string;
  cwd?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One OS process of the deployment (a service, the sandbox, `easgate start`): started, killed with
 * SIGKILL, stopped with SIGTERM, restarted with the same command and environment. Its output goes to a
 * log file (not through the test process), so a crash of the test leaves the evidence behind.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<ExitStatus> | undefined;
  private exitStatus: ExitStatus | undefined;
  private starts = 0;

  constructor(readonly options: ManagedProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get logFile(): string {
    return this.options.logFile;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitStatus === undefined;
  }

  /** The exit of the current run, once it ended. */
  get exited(): ExitStatus | undefined {
    return this.exitStatus;
  }

  start(): this {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    const fd = openSync(this.logFile, 'a');
    writeSync(fd, `\n=== e2e: start #${++this.starts} of ${this.name} at ${new Date().toISOString()}\n`);
    const child = spawn(this.options.command.command, this.options.command.args, {
      cwd: this.options.cwd ?? REPO_ROOT,
      env: this.options.env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    this.exitStatus = undefined;
    this.exit = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
      child.once('error', () => {
        this.exitStatus = { code: -1, signal: null };
        resolve(this.exitStatus);
      });
    });
    return this;
  }

  /** kill -9: no shutdown hook runs. Resolves once the process is gone. */
  async kill(): Promise<ExitStatus> {
    return this.signal('SIGKILL');
  }

  /**
   * SIGTERM, as Kubernetes sends it; resolves with the exit status and how long the shutdown took.
   * After `timeoutMs` the process gets SIGKILL and `timedOut` says so.
   */
  async terminate(timeoutMs = 30_000): Promise<ExitStatus & { ms: number; timedOut: boolean }> {
    const began = Date.now();
    if (!this.running)
      return { ...(this.exitStatus ?? { code: null, signal: null }), ms: 0, timedOut: false };
    this.child!.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exit!, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      const status = await this.kill();
      return { ...status, ms: Date.now() - began, timedOut: true };
    }
    return { ...outcome, ms: Date.now() - began, timedOut: false };
  }

  async restart(): Promise<this> {
    if (this.running) await this.kill();
    return this.start();
  }

  /** Resolves when the process ends on its own (or was killed). */
  waitForExit(): Promise<ExitStatus> {
    if (!this.exit) throw new Error(`${this.name} was never started`);
    return this.exit;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  private async signal(signal: NodeJS.Signals): Promise<ExitStatus> {
    if (!this.running) return this.exitStatus ?? { code: null, signal: null };
    this.child!.kill(signal);
    return this.exit!;
  }
}

/**
 * Polls `url` until it answers 200. Fails early, naming the log file, when the process exits first.
 */
export async function waitForHttpOk(
  url: string,
  process: ManagedProcess,
  timeoutMs = 120_000,
  headers: Record<string, string> = {},
): Promise<number> {
  const began = Date.now();
  let last = 'no answer yet';
  while (Date.now() - began < timeoutMs) {
    if (!process.running) {
      throw new Error(
        `${process.name} exited (${JSON.stringify(process.exited)}) before ${url} answered 200: see ${process.logFile}`,
      );
    }
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return Date.now() - began;
      last = `${res.status} ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${process.name}: ${url} not ready after ${timeoutMs} ms (last: ${last}): see ${process.logFile}`,
  );
}

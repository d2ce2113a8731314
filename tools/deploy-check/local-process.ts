import { type ChildProcess, spawn } from 'node:child_process';
import { peerDispatcher } from '@easgate/tls';

/** A container's command run as a local process: the probes are called over real sockets. */
export interface StartedProcess {
  /** Polls `url` until it answers 200 and returns its JSON; fails when the process exits or the deadline passes. */
  waitForHttp(url: string, deadlineMs: number): Promise<unknown>;
  /** GET `url` once: the status code (0 when nothing answers). */
  status(url: string): Promise<number>;
  /** Resolves with the exit code once the process ended by itself (a Job). */
  exited(): Promise<number | null>;
  /** The last lines the process printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface ProcessSpec {
  /** argv; `node` is this Node binary (the image's Node is the same major). */
  command: string[];
  cwd: string;
  /** Exactly this environment: nothing is inherited. */
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** The CA its HTTPS certificate chains to (EASGATE_TLS_CA_FILE's content), trusted by the probes' calls. */
  caPem?: string;
}

export function startProcess(spec: ProcessSpec): StartedProcess {
  const [program, ...args] = spec.command;
  const child: ChildProcess = spawn(program === 'node' ? process.execPath : program, args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(spec.uid !== undefined && { uid: spec.uid }),
    ...(spec.gid !== undefined && { gid: spec.gid }),
  });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  // Node's fetch takes undici's agents; only the two packages' type declarations differ.
  const agent = spec.caPem !== undefined ? peerDispatcher(spec.caPem) : undefined;
  const trust = agent ? { dispatcher: agent as unknown as RequestInit['dispatcher'] } : {};
  const status = async (url: string) => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000), ...trust });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  };
  return {
    status,
    output: () => tail,
    exited: async () => {
      await exited;
      return exitCode ?? null;
    },
    waitForHttp: async (url, deadlineMs) => {
      const deadline = Date.now() + deadlineMs;
      for (;;) {
        if (exitCode !== undefined) {
          throw new Error(`${spec.command.join(' ')} exited (${exitCode}) before ${url} was ready:\n${tail}`);
        }
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(2000), ...trust });
          if (res.status === 200) return await res.json();
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`${url} not ready in ${deadlineMs} ms:\n${tail}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      if (exitCode === undefined) child.kill('SIGTERM');
      await exited;
      await agent?.close();
    },
  };
}

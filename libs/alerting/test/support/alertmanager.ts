import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Test support: starts a real Prometheus Alertmanager (Debian package `prometheus-alertmanager`) on a loopback
 * port with a temporary configuration and storage directory, for tests and local runs.
 * Installs the package through tools/alertmanager/install.sh when the binary is missing; fails loudly otherwise.
 */
export interface RunningAlertmanager {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  stop(): Promise<void>;
}

const BINARY = 'prometheus-alertmanager';
const TOOLS = join(__dirname, '../../../../tools/alertmanager');

function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure the binary exists, installing the Debian package if needed; throws a clear error otherwise. */
export function ensureAlertmanagerInstalled(): void {
  if (onPath(BINARY)) return;
  try {
    execFileSync('bash', [join(TOOLS, 'install.sh')], { stdio: 'pipe', timeout: 10 * 60_000 });
  } catch (err) {
    const output =
      err instanceof Error && 'stderr' in err ? String((err as { stderr: unknown }).stderr) : String(err);
    throw new Error(
      `${BINARY} is not installed and tools/alertmanager/install.sh could not install it ` +
        `(run it as root, or apt-get install -y prometheus-alertmanager): ${output.slice(-500)}`,
    );
  }
  if (!onPath(BINARY)) throw new Error(`${BINARY} is still not on PATH after tools/alertmanager/install.sh`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startAlertmanager(): Promise<RunningAlertmanager> {
  ensureAlertmanagerInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logs: string[] = [];
  const child: ChildProcess = spawn('bash', [join(TOOLS, 'start.sh'), String(port), dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`Alertmanager did not become ready on ${url}: ${logs.join('').slice(-1000)}`);
}

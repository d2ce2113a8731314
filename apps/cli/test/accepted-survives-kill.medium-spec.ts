import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { complianceEvent } from '@easgate/policy-translator';
import { uniqueName } from '@easgate/testing';

const ROOT = join(__dirname, '../../..');
const TRANSLATOR_PORT = 19213;

interface Easgate {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<NodeJS.Signals | number | null>;
}

/** `easgate start` on its embedded defaults, resolved once it printed that it runs. */
async function start(env: NodeJS.ProcessEnv): Promise<Easgate> {
  const child = spawn(process.execPath, [join(ROOT, 'tools/bin/easgate.js'), 'start'], { env, cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (stdout.includes('easgate is running')) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`easgate start exited early (${String(code)}): ${stderr}`));
    });
  });
  return { child, exited };
}

// Issue 16: what `POST /v1/mdm/events` answered 202 survives a SIGKILL of the whole process.
describe('easgate start, killed right after answering 202', () => {
  let dataDir: string;
  let running: Easgate | undefined;

  afterEach(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('handles after a restart every event it had accepted', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'easgate-kill-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EASGATE_DATA_DIR: dataDir,
      EASGATE_PORT: '19210',
      EASGATE_SANDBOX_PORT: '19211',
      CERT_VAULT_PORT: '19212',
      POLICY_TRANSLATOR_PORT: String(TRANSLATOR_PORT),
      EXCHANGE_EXECUTOR_PORT: '19214',
      ALERTING_PORT: '19215',
      LOG_LEVEL: 'warn',
    };
    delete env['KAFKA_BROKERS'];
    delete env['DATABASE_URL'];
    delete env['JEST_WORKER_ID'];
    const translator = `http://127.0.0.1:${TRANSLATOR_PORT}`;
    const tenant = `${uniqueName('kill')}.onmicrosoft.com`;
    const events = Array.from({ length: 1_200 }, (_, i) =>
      complianceEvent({
        tenant,
        userPrincipalName: `user${i}@contoso.com`,
        mdmDeviceId: `kill-${i}`,
        easDeviceIds: [`EASKILL${i}`],
        state: 'noncompliant',
        sequence: 1,
      }),
    );
    // Small batches as an MDM connector sends them, then a large one answered just before the kill.
    const batches = [
      ...Array.from({ length: 8 }, (_, i) => events.slice(i * 25, i * 25 + 25)),
      events.slice(200),
    ];

    running = await start(env);
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    const accepted: typeof events = [];
    for (const batch of batches) {
      const res = await fetch(`${translator}/v1/mdm/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/cloudevents-batch+json' },
        body: JSON.stringify(batch),
      });
      expect(res.status).toBe(202);
      accepted.push(...batch);
    }
    running.child.kill('SIGKILL');
    expect(await running.exited).toBe('SIGKILL');

    running = await start(env);
    const device = async (id: string) => {
      const res = await fetch(`${translator}/v1/tenants/${tenant}/devices/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return res.status === 200 ? ((await res.json()) as { lastEvent: { id: string } }) : undefined;
    };
    // Once a device shows its event it keeps it: each poll checks the first few still pending, and
    // the wait fails when handling stalls, not when a busy machine is slow.
    let pending = accepted;
    let progressAt = Date.now();
    while (pending.length > 0 && Date.now() - progressAt < 60_000) {
      const chunk = pending.slice(0, 50);
      const states = await Promise.all(chunk.map((e) => device(e.subject!)));
      const handled = new Set(chunk.filter((e, i) => states[i]?.lastEvent.id === e.id));
      if (handled.size > 0) progressAt = Date.now();
      else await new Promise((r) => setTimeout(r, 200));
      pending = pending.filter((e) => !handled.has(e));
    }
    expect(pending).toEqual([]);

    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
  }, 900_000);
});

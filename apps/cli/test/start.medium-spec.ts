import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

// `easgate start` on its embedded defaults: starts, answers its health endpoint, stops on Ctrl-C.
describe('easgate start', () => {
  it('serves a health endpoint and stops cleanly on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'easgate-start-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EASGATE_DATA_DIR: dataDir,
      EASGATE_PORT: '0',
      EASGATE_SANDBOX_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    delete env['KAFKA_BROKERS'];
    delete env['DATABASE_URL'];
    delete env['JEST_WORKER_ID'];
    const child = spawn(process.execPath, [join(ROOT, 'tools/bin/easgate.js'), 'start'], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /status\/health\s+(http:\/\/\S+)/.exec(stdout);
          if (match) {
            clearInterval(timer);
            resolve(match[1]);
          }
        }, 100);
        void exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`easgate start exited early (${code}): ${stderr}`));
        });
      });
      const health = await fetch(url);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', bus: 'in-process', database: 'sqlite' });
      expect(stdout).toContain(`data directory  ${dataDir}`);
      expect(stdout).toMatch(/Exchange sandbox https:\/\/127\.0\.0\.1:\d+/);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

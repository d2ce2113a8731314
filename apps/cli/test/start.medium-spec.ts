import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@easgate/testing';
import { Agent, fetch as fetchWithAgent } from 'undici';

const ROOT = join(__dirname, '../../..');

// `easgate start` on its embedded defaults: every service in one process, the sandbox as the tenant.
describe('easgate start', () => {
  it('gates a device end to end, serves its health endpoint and stops cleanly on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'easgate-start-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EASGATE_DATA_DIR: dataDir,
      EASGATE_PORT: '0',
      EASGATE_SANDBOX_PORT: '0',
      LOG_LEVEL: 'warn',
      CERT_VAULT_PORT: '0',
      EXCHANGE_EXECUTOR_PORT: '0',
      POLICY_TRANSLATOR_PORT: '0',
      ALERTING_PORT: '0',
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
      expect(stdout).toMatch(
        /tenant link\s+app [0-9a-f-]{36}, vault connection [0-9a-f-]{36}, certificate [0-9A-F]{40}/,
      );

      // Flow 2 of PRODUCT.md: the MDM says a device is noncompliant → the translator decides block →
      // the executor, with a token signed by the vault's key, runs Set-CASMailbox on "Exchange".
      const sandboxUrl = /Exchange sandbox (https:\/\/\S+)/.exec(stdout)![1];
      const tenantId = /\(tenant ([0-9a-f-]{36}),/.exec(stdout)![1];
      const translatorUrl = /policy-translator\s+(http:\/\/\S+)/.exec(stdout)![1];
      const dispatcher = new Agent({ connect: { ca: readFileSync(join(dataDir, 'sandbox-tls', 'ca.pem')) } });
      const sandbox = (path: string, body?: unknown) =>
        fetchWithAgent(`${sandboxUrl}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { 'content-type': 'application/json' },
          ...(body !== undefined && { body: JSON.stringify(body) }),
          dispatcher,
        }).then((r) => r.json() as Promise<Record<string, unknown>>);
      await sandbox('/_sandbox/mailboxes', { alias: 'gatetest' });
      await sandbox('/_sandbox/devices', {
        mailbox: 'gatetest',
        deviceId: 'GATETEST0001',
        deviceType: 'iPhone',
      });
      await promisify(execFile)(
        process.execPath,
        [
          join(ROOT, 'tools/bin/easgate.js'),
          'mdm',
          'send',
          '--url',
          translatorUrl,
          '--token-file',
          join(dataDir, 'api-token'),
          '--tenant',
          tenantId,
          '--upn',
          'gatetest@sandbox.onmicrosoft.com',
          '--device',
          'mdm-gate-1',
          '--state',
          'noncompliant',
          '--eas-id',
          'GATETEST0001',
          '--reason',
          'passcode missing',
          '--sequence',
          '1',
        ],
        { cwd: ROOT, env },
      );
      const blocked = await waitFor('Set-CASMailbox blocking the device', async () => {
        const audit = (await sandbox('/_sandbox/audit?kind=cmdlet')) as {
          value: { action: string; parameters: Record<string, unknown> }[];
        };
        return audit.value.find(
          (e) => e.action === 'Set-CASMailbox' && JSON.stringify(e.parameters).includes('GATETEST0001'),
        );
      });
      expect(blocked.parameters['ActiveSyncBlockedDeviceIDs']).toMatchObject({ Add: ['GATETEST0001'] });
      await dispatcher.close();

      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

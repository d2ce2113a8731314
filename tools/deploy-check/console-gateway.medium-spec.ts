import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certVaultDefinition } from '@easgate/cert-vault';
import { LocalUsers } from '@easgate/console-gateway';
import { ConsoleGatewayService } from '@easgate/identity';
import { InProcessBus } from '@easgate/messaging';
import { provisionServiceIdentities, type RunningService, startService } from '@easgate/service-runtime';
import { buildApp } from '../build/build';
import { startProcess, type StartedProcess } from './local-process';

const ROOT = join(__dirname, '../..');
const COMMAND = ['node', 'dist/apps/console-gateway/main.js'];

// The compiled apps/console-gateway as its own process (as its Deployment runs it), in front of a real
// cert-vault: configured from the environment only, it signs a user in and forwards the user's calls;
// SIGTERM ends it cleanly; a missing setting or a mis-permissioned key stops it at start with one line.
describe('apps/console-gateway on its own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'easgate-console-gateway-app-'));
  const bus = new InProcessBus();
  const tenant = randomUUID();
  const password = 'a long enough password';
  const port = 21_000 + Math.floor(Math.random() * 900);
  let vault: RunningService;
  let keyFile: string;
  let env: Record<string, string>;
  let sut: StartedProcess;
  const base = `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    buildApp('console-gateway');
    const identities = provisionServiceIdentities(join(dir, 'identity'), [
      'cert-vault',
      ConsoleGatewayService,
    ]);
    keyFile = join(dir, 'identity', `${ConsoleGatewayService}.key`);
    vault = await startService(certVaultDefinition, {
      bus,
      dataDir: join(dir, 'vault'),
      port: 0,
      env: {
        VAULT_EXPIRY_SCANNER: 'false',
        LOG_LEVEL: 'error',
        EASGATE_ALLOWED_ENDPOINT_HOSTS: '127.0.0.1:1',
      },
      identity: { serviceKey: identities.keys.get('cert-vault')!, trustedServices: identities.trusted },
    });
    // The accounts as a Kubernetes Secret gives them: a file of its own, outside the data directory.
    const usersFile = join(dir, 'accounts', 'console-users.json');
    mkdirSync(join(dir, 'accounts'));
    const users = new LocalUsers(usersFile);
    await users.bootstrap(users.issueBootstrapCode()!, 'ada', password);
    const staticDir = join(dir, 'console');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>easgate console</title>');
    env = {
      PATH: process.env['PATH']!,
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      EASGATE_DATA_DIR: join(dir, 'data'),
      EASGATE_SERVICE_KEY_FILE: keyFile,
      CONSOLE_USERS_FILE: usersFile,
      EASGATE_CONSOLE_DIR: staticDir,
      CERT_VAULT_URL: vault.url,
      // Nothing listens there: a forwarded call answers 502.
      EXCHANGE_EXECUTOR_URL: 'http://127.0.0.1:1',
      POLICY_TRANSLATOR_URL: 'http://127.0.0.1:1',
      ALERTING_URL: 'http://127.0.0.1:1',
    };
    sut = startProcess({ command: COMMAND, cwd: ROOT, env });
    await sut.waitForHttp(`${base}/health/ready`, 60_000);
  }, 120_000);

  afterAll(async () => {
    await sut?.stop();
    await vault?.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn() {
    const res = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password }),
    });
    expect(res.status).toBe(200);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie: res.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': csrfToken };
  }

  it('serves the console from EASGATE_CONSOLE_DIR', async () => {
    const res = await fetch(`${base}/`);
    expect({ status: res.status, body: await res.text() }).toEqual({
      status: 200,
      body: '<!doctype html><title>easgate console</title>',
    });
  });

  it("signs a user of CONSOLE_USERS_FILE in and forwards the user's calls to the vault as that user", async () => {
    const ada = await signIn();
    const created = await fetch(`${base}/api/cert-vault/v1/tenant-connections`, {
      method: 'POST',
      headers: { ...ada, 'content-type': 'application/json' },
      body: JSON.stringify({
        tenantId: tenant,
        appId: randomUUID(),
        organization: `t${tenant.slice(0, 8)}.onmicrosoft.com`,
        authorityHost: 'https://127.0.0.1:1',
        graphUrl: 'https://127.0.0.1:1',
      }),
    });
    expect(created.status).toBe(201);
    const audit = await fetch(`${base}/api/cert-vault/v1/audit?tenantId=${tenant}`, { headers: ada });
    expect(audit.status).toBe(200);
    const rows = (await audit.json()) as { actor: string }[];
    expect(rows.map((r) => r.actor)).toContain('user:ada via console-gateway');
  });

  it('refuses the API to a caller without a session, and answers 502 for a service that is down', async () => {
    const anonymous = await fetch(`${base}/api/cert-vault/v1/tenant-connections`);
    const down = await fetch(`${base}/api/alerting/v1/subscriptions`, { headers: await signIn() });
    expect({ anonymous: anonymous.status, down: down.status }).toEqual({ anonymous: 401, down: 502 });
  });

  it('exits 0 on SIGTERM', async () => {
    const other = startProcess({
      command: COMMAND,
      cwd: ROOT,
      env: { ...env, PORT: String(port + 1), EASGATE_DATA_DIR: join(dir, 'data-2') },
    });
    await other.waitForHttp(`http://127.0.0.1:${port + 1}/health/live`, 60_000);
    await other.stop();
    expect({ code: await other.exited(), output: other.output() }).toEqual({
      code: 0,
      output: expect.stringContaining('console gateway stopped') as string,
    });
  }, 90_000);

  it('refuses to start without the services and its key, naming each missing variable in one line', async () => {
    const { CERT_VAULT_URL: _vault, EASGATE_SERVICE_KEY_FILE: _key, ...partial } = env;
    const failed = startProcess({ command: COMMAND, cwd: ROOT, env: { ...partial, PORT: '0' } });
    const code = await failed.exited();
    const lines = failed.output().trim().split('\n');
    expect({ code, lines: lines.length }).toEqual({ code: 1, lines: 1 });
    expect(lines[0]).toContain('console-gateway failed to start: invalid or missing CERT_VAULT_URL');
    expect(lines[0]).toContain('EASGATE_SERVICE_KEY_FILE');
  }, 60_000);

  it('refuses a key file others may read', async () => {
    const open = join(dir, 'open.key');
    copyFileSync(keyFile, open);
    chmodSync(open, 0o644);
    const failed = startProcess({
      command: COMMAND,
      cwd: ROOT,
      env: { ...env, PORT: '0', EASGATE_SERVICE_KEY_FILE: open },
    });
    expect(await failed.exited()).toBe(1);
    expect(failed.output()).toContain('chmod 600');
  }, 60_000);
});

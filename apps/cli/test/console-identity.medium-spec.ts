import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certVaultDefinition } from '@easgate/cert-vault';
import { LocalUsers, type RunningConsoleGateway, startConsoleGateway } from '@easgate/console-gateway';
import { ConsoleGatewayService } from '@easgate/identity';
import { InProcessBus } from '@easgate/messaging';
import { provisionServiceIdentities, type RunningService, startService } from '@easgate/service-runtime';

/**
 * A console user reaches a real service (the vault) through the gateway: the vault authorizes the user's
 * own roles and tenants from the gateway's delegated token, and its audit log names the user.
 */
describe('console users through the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'easgate-console-identity-'));
  const bus = new InProcessBus();
  const tenant = randomUUID();
  const password = 'a long enough password';
  let vault: RunningService;
  let sut: RunningConsoleGateway;

  beforeAll(async () => {
    const identities = provisionServiceIdentities(join(dir, 'identity'), [
      'cert-vault',
      ConsoleGatewayService,
    ]);
    vault = await startService(certVaultDefinition, {
      bus,
      dataDir: dir,
      port: 0,
      env: {
        VAULT_EXPIRY_SCANNER: 'false',
        LOG_LEVEL: 'error',
        EASGATE_ALLOWED_ENDPOINT_HOSTS: '127.0.0.1:1',
      },
      identity: { serviceKey: identities.keys.get('cert-vault')!, trustedServices: identities.trusted },
    });
    const users = new LocalUsers(join(dir, 'console-users.json'));
    await users.bootstrap(users.issueBootstrapCode()!, 'ada', password);
    await users.add({ id: 'ann', roles: ['auditor'], tenants: [tenant] }, password);
    sut = await startConsoleGateway({
      port: 0,
      dataDir: dir,
      services: { 'cert-vault': vault.url },
      serviceKey: identities.keys.get(ConsoleGatewayService)!,
    });
  });

  afterAll(async () => {
    await sut?.close();
    await vault?.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(username: string) {
    const res = await fetch(`${sut.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    expect(res.status).toBe(200);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie: res.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': csrfToken };
  }

  const aConnection = () => ({
    tenantId: tenant,
    appId: randomUUID(),
    organization: `t${tenant.slice(0, 8)}.onmicrosoft.com`,
    authorityHost: 'https://127.0.0.1:1',
    graphUrl: 'https://127.0.0.1:1',
  });

  it("writes the console user as the vault's audit actor, from the gateway's token", async () => {
    const admin = await signIn('ada');
    const created = await fetch(`${sut.url}/api/cert-vault/v1/tenant-connections`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify(aConnection()),
    });
    expect(created.status).toBe(201);
    const audit = await fetch(`${sut.url}/api/cert-vault/v1/audit?tenantId=${tenant}`, { headers: admin });
    expect(audit.status).toBe(200);
    const rows = (await audit.json()) as { action: string; actor: string }[];
    expect(rows.map((r) => r.actor)).toContain('user:ada via console-gateway');
  });

  it("refuses an auditor's write and another tenant's data with the vault's own policy", async () => {
    const auditor = await signIn('ann');
    const write = await fetch(`${sut.url}/api/cert-vault/v1/tenant-connections`, {
      method: 'POST',
      headers: { ...auditor, 'content-type': 'application/json' },
      body: JSON.stringify(aConnection()),
    });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { code: string }).code).toBe('FORBIDDEN_ROLE');
    const everything = await fetch(`${sut.url}/api/cert-vault/v1/audit`, { headers: auditor });
    expect(everything.status).toBe(403);
    expect(((await everything.json()) as { code: string }).code).toBe('FORBIDDEN_TENANT');
    const own = await fetch(`${sut.url}/api/cert-vault/v1/tenant-connections`, { headers: auditor });
    expect(own.status).toBe(200);
    const listed = (await own.json()) as { tenantId: string }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((c) => c.tenantId === tenant)).toBe(true);
  });
});

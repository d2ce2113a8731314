import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certVaultDefinition } from '@easgate/cert-vault';
import {
  consoleGatewayOptionsFromEnv,
  LocalUsers,
  type RunningConsoleGateway,
  startConsoleGateway,
} from '@easgate/console-gateway';
import { exchangeExecutorDefinition } from '@easgate/exchange-executor';
import { ConsoleGatewayService } from '@easgate/identity';
import { InProcessBus } from '@easgate/messaging';
import {
  provisionServiceIdentities,
  type ProvisionedIdentities,
  type RunningService,
  startService,
  tlsFromEnv,
} from '@easgate/service-runtime';
import { ServiceTlsFiles } from '@easgate/tls';
import { Agent, fetch } from 'undici';
import { buildProgram } from '../src/main';

/** `easgate tls init` as a user runs it; what it printed. */
async function tlsInit(dir: string): Promise<string> {
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
  try {
    await buildProgram().parseAsync(['node', 'easgate', 'tls', 'init', '--dir', dir]);
  } finally {
    log.mockRestore();
  }
  return printed.join('\n');
}

/**
 * HTTPS between real services with the material of `easgate tls init`: the console gateway and the
 * executor call the vault over https trusting only EASGATE_TLS_CA_FILE; a CA of another `tls init` is
 * refused with an error that says which certificate and what to set.
 */
describe('easgate tls init, and services calling each other over HTTPS', () => {
  const root = mkdtempSync(join(tmpdir(), 'easgate-tls-'));
  const tlsDir = join(root, 'tls');
  const strangerDir = join(root, 'stranger-tls');
  const bus = new InProcessBus();
  const password = 'a long enough password';
  const apiToken = 'an-api-token-long-enough-for-tls';
  let printed: string;
  let identities: ProvisionedIdentities;
  let vault: RunningService;
  const started: { close(): Promise<void> }[] = [];
  const file = (name: string) => join(tlsDir, name);
  const tlsEnv = (component: string, caFile = file(ServiceTlsFiles.caCert)) => ({
    EASGATE_TLS_CERT_FILE: file(ServiceTlsFiles.cert(component)),
    EASGATE_TLS_KEY_FILE: file(ServiceTlsFiles.key(component)),
    EASGATE_TLS_CA_FILE: caFile,
  });
  const strangerCa = () => join(strangerDir, ServiceTlsFiles.caCert);
  // The test's own client trusts the services' CA, as an operator's browser would be told to.
  const client = () => new Agent({ connect: { ca: readFileSync(file(ServiceTlsFiles.caCert), 'utf8') } });

  beforeAll(async () => {
    printed = await tlsInit(tlsDir);
    await tlsInit(strangerDir);
    identities = provisionServiceIdentities(join(root, 'identity'), [
      'cert-vault',
      'exchange-executor',
      ConsoleGatewayService,
    ]);
    const env = { ...tlsEnv('cert-vault'), VAULT_EXPIRY_SCANNER: 'false', LOG_LEVEL: 'error' };
    vault = await startService(certVaultDefinition, {
      bus,
      dataDir: join(root, 'vault'),
      port: 0,
      host: '127.0.0.1',
      apiToken,
      tls: tlsFromEnv(env),
      env,
      identity: { serviceKey: identities.keys.get('cert-vault')!, trustedServices: identities.trusted },
    });
  });

  afterAll(async () => {
    for (const s of started.reverse()) await s.close();
    await vault?.close();
    await bus.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('prints what it wrote and the settings, never a key', () => {
    expect(printed).toContain(`CA                 created  ${file('ca.crt')}`);
    expect(printed).toContain(`EASGATE_TLS_CA_FILE=${file('ca.crt')}`);
    expect(printed).toContain('--from-file=cert-vault.key=');
    expect(printed).not.toMatch(/PRIVATE KEY|BEGIN/);
    expect(vault.url).toMatch(/^https:/);
  });

  async function gateway(caFile: string): Promise<RunningConsoleGateway> {
    const dataDir = mkdtempSync(join(root, 'gateway-'));
    const users = new LocalUsers(join(dataDir, 'console-users.json'));
    await users.bootstrap(users.issueBootstrapCode()!, 'ada', password);
    const sut = await startConsoleGateway(
      consoleGatewayOptionsFromEnv(
        { ...tlsEnv(ConsoleGatewayService, caFile), LOG_LEVEL: 'error' },
        {
          port: 0,
          dataDir,
          services: { 'cert-vault': vault.url },
          serviceKey: identities.keys.get(ConsoleGatewayService)!,
          defaultStaticDir: join(root, 'no-console'),
        },
      ),
    );
    started.push(sut);
    return sut;
  }

  async function listConnectionsThrough(sut: RunningConsoleGateway) {
    const dispatcher = client();
    try {
      const login = await fetch(`${sut.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ada', password }),
        dispatcher,
      });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      const res = await fetch(`${sut.url}/api/cert-vault/v1/tenant-connections`, {
        headers: { cookie },
        dispatcher,
      });
      return { status: res.status, body: await res.json() };
    } finally {
      await dispatcher.close();
    }
  }

  it('lets the console gateway, itself on HTTPS, reach the vault over HTTPS with the CA of tls init', async () => {
    const sut = await gateway(file(ServiceTlsFiles.caCert));

    const answer = await listConnectionsThrough(sut);

    expect(sut.url).toMatch(/^https:/);
    expect(answer.status).toBe(200);
  });

  it("refuses the vault's certificate when the gateway trusts another CA, and says so", async () => {
    const sut = await gateway(strangerCa());

    const answer = await listConnectionsThrough(sut);

    expect(answer).toEqual({
      status: 502,
      body: {
        code: 'TLS_PEER_CERTIFICATE_REFUSED',
        message: "cert-vault's certificate is not trusted by the gateway",
      },
    });
  });

  async function executor(caFile: string): Promise<RunningService> {
    const env = {
      ...tlsEnv('exchange-executor', caFile),
      EASGATE_API_TOKEN: apiToken,
      LOG_LEVEL: 'error',
    };
    const sut = await startService(exchangeExecutorDefinition, {
      bus,
      dataDir: mkdtempSync(join(root, 'executor-')),
      port: 0,
      host: '127.0.0.1',
      apiToken,
      tls: tlsFromEnv(env),
      env,
      peers: { 'cert-vault': vault.url },
      // One consumer per group on the in-process bus: each executor of this test has its own.
      consumerGroup: `easgate-exchange-executor-${randomUUID()}`,
      identity: {
        serviceKey: identities.keys.get('exchange-executor')!,
        trustedServices: identities.trusted,
      },
    });
    started.push(sut);
    return sut;
  }

  /** The executor's connection test starts with its vault client: which connection does the vault hold? */
  async function connectionTest(sut: RunningService, tenant: string) {
    const dispatcher = client();
    try {
      const res = await fetch(`${sut.url}/v1/tenants/${tenant}/connection-test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiToken}` },
        dispatcher,
      });
      return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
    } finally {
      await dispatcher.close();
    }
  }

  it('lets the executor ask the vault over HTTPS, trusting the CA of tls init', async () => {
    const tenant = randomUUID();
    const sut = await executor(file(ServiceTlsFiles.caCert));

    const answer = await connectionTest(sut, tenant);

    // The vault answered its list over HTTPS: it just holds no connection for this tenant.
    expect(answer.body.message).toContain(`the certificate vault has no connection for tenant ${tenant}`);
  });

  it("refuses the vault's certificate when the executor trusts another CA, naming the setting", async () => {
    const sut = await executor(strangerCa());

    const answer = await connectionTest(sut, randomUUID());

    expect(answer.body.message).toMatch(
      /the certificate of 127\.0\.0\.1:\d+ is not trusted \(\w+\): set EASGATE_TLS_CA_FILE to the CA that issued its certificate/,
    );
  });
});

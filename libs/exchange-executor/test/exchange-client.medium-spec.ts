import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '@easgate/auth';
// Tests run against the sandbox in-process (the only way to reach a faithful Exchange offline).
import { type RunningSandbox, startSandbox } from '@easgate/exo-sandbox';
import {
  ExchangeClient,
  ExchangeClientFactory,
  ExchangeError,
  ExchangeErrorCode,
  localAssertionProvider,
  runConnectionTest,
  type TenantConnection,
  UndiciTransport,
  vaultAssertionProvider,
} from '../src';

interface World {
  dir: string;
  sandbox: RunningSandbox;
  cert: SelfSignedCertificate;
  appId: string;
  http: UndiciTransport;
}

function connectionTo(world: World, overrides: Partial<TenantConnection> = {}): TenantConnection {
  return {
    id: randomUUID(),
    tenantId: world.sandbox.tenantId,
    organization: world.sandbox.organization,
    appId: world.appId,
    cloud: 'O365Default',
    authorityHost: world.sandbox.baseUrl,
    exchangeEndpoint: world.sandbox.baseUrl,
    ...overrides,
  };
}

function clientFor(world: World, connection = connectionTo(world)): ExchangeClient {
  const factory = new ExchangeClientFactory({
    http: world.http,
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    guard: { failureThreshold: 50 },
  });
  return factory.clientFor(connection, localAssertionProvider(connection.appId, world.cert));
}

async function rejection(promise: Promise<unknown>): Promise<ExchangeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ExchangeError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe(ExchangeClient.name, () => {
  const world = {} as World;

  beforeAll(async () => {
    world.dir = mkdtempSync(join(tmpdir(), 'exo-client-'));
    world.cert = await createSelfSignedCertificate({
      subject: 'CN=easgate-test',
      password: 'x',
      now: new Date(),
    });
    world.appId = randomUUID();
    world.sandbox = await startSandbox({
      tlsDir: join(world.dir, 'tls'),
      port: 0,
      mailboxes: 30,
      devices: 75,
      seed: 7,
      apps: [{ appId: world.appId, certificates: [world.cert.pem] }],
    });
    world.http = new UndiciTransport({ caPem: world.sandbox.caPem });
  });

  afterEach(() => {
    world.sandbox.sandbox.faults.clear();
    world.sandbox.sandbox.setKnobs({ throttlePerSecond: 0 });
  });

  afterAll(async () => {
    await world.http.close();
    await world.sandbox.close();
    rmSync(world.dir, { recursive: true, force: true });
  });

  it('follows every @odata.nextLink and streams each page', async () => {
    const sut = clientFor(world);
    const pages: number[] = [];
    for await (const page of sut.pages('Get-MobileDevice', { ResultSize: 'Unlimited' }, { pageSize: 20 })) {
      pages.push(page.values.length);
    }
    expect(pages).toEqual([20, 20, 20, 15]);
  });

  it('reuses one token across calls (MSAL cache per connection)', async () => {
    const sut = clientFor(world);
    const before = world.sandbox.sandbox.counters.tokenRequests;
    for (let i = 0; i < 5; i++) await sut.invoke('Get-OrganizationConfig');
    expect(world.sandbox.sandbox.counters.tokenRequests - before).toBe(1);
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    const sut = clientFor(world);
    world.sandbox.sandbox.faults.inject({
      kind: 'http-429',
      target: 'adminapi',
      cmdlet: 'Get-CASMailbox',
      count: 2,
      retryAfterSeconds: 0.2,
    });
    const result = await sut.invoke('Get-CASMailbox', { ResultSize: 5 });
    expect(result.values).toHaveLength(5);
    expect(result.attempts).toBe(3);
    expect(sut.stats.throttled).toBe(2);
  });

  it('retries 503 and 504 with back-off', async () => {
    const sut = clientFor(world);
    world.sandbox.sandbox.faults.inject({
      kind: 'http-503',
      target: 'adminapi',
      cmdlet: 'Get-Mailbox',
      count: 1,
    });
    world.sandbox.sandbox.faults.inject({
      kind: 'http-504',
      target: 'adminapi',
      cmdlet: 'Get-Mailbox',
      count: 1,
    });
    const result = await sut.invoke('Get-Mailbox', { ResultSize: 2 });
    expect(result.values).toHaveLength(2);
    expect(result.attempts).toBe(3);
  });

  it('retries a connection reset as a network error', async () => {
    const sut = clientFor(world);
    world.sandbox.sandbox.faults.inject({
      kind: 'reset',
      target: 'adminapi',
      cmdlet: 'Get-Mailbox',
      count: 1,
    });
    const result = await sut.invoke('Get-Mailbox', { ResultSize: 1 });
    expect(result.attempts).toBe(2);
  });

  it('reports an RBAC refusal as EXO_CMDLET_NOT_ALLOWED with Microsoft text and a fix', async () => {
    const appId = randomUUID();
    world.sandbox.sandbox.registerApp({
      appId,
      certificates: [world.cert.pem],
      consentGranted: true,
      roles: ['Global Reader'],
    });
    const sut = clientFor(world, connectionTo(world, { appId }));
    const error = await rejection(
      sut.invoke('Set-CASMailbox', { Identity: 'nobody', ActiveSyncEnabled: true }),
    );
    expect(error.code).toBe(ExchangeErrorCode.CmdletNotAllowed);
    expect(error.message).toBe('User is not allowed to call Set-CASMailbox');
    expect(error.retriable).toBe(false);
    expect(error.fix).toMatch(/role/);
  });

  it('reports a 403 with a NUL-byte body (no consent) as EXO_MISSING_ROLE', async () => {
    const appId = randomUUID();
    world.sandbox.sandbox.registerApp({
      appId,
      certificates: [world.cert.pem],
      consentGranted: false,
      roles: [],
    });
    const sut = clientFor(world, connectionTo(world, { appId }));
    const error = await rejection(sut.invoke('Get-OrganizationConfig'));
    expect(error.code).toBe(ExchangeErrorCode.MissingRole);
    expect(error.details.status).toBe(403);
  });

  it('types an unregistered certificate as AADSTS700027 at token time', async () => {
    const other = await createSelfSignedCertificate({ subject: 'CN=other', password: 'x', now: new Date() });
    const connection = connectionTo(world);
    const sut = new ExchangeClientFactory({ http: world.http }).clientFor(
      connection,
      localAssertionProvider(connection.appId, other),
    );
    const error = await rejection(sut.invoke('Get-OrganizationConfig'));
    expect(error.code).toBe(ExchangeErrorCode.CertificateNotRegistered);
    expect(error.details.aadsts).toBe(700027);
    expect(error.message).toMatch(/^AADSTS700027/);
  });

  it('reports a missing object as EXO_NOT_FOUND and refuses a bad enum before sending it', async () => {
    const sut = clientFor(world);
    const notFound = await rejection(sut.invoke('Get-CASMailbox', { Identity: 'no-such-mailbox' }));
    expect(notFound.code).toBe(ExchangeErrorCode.NotFound);
    expect(notFound.message).toMatch(/couldn't be found/);
    const invalid = await rejection(
      sut.invoke('Set-ActiveSyncOrganizationSettings', { DefaultAccessLevel: 'Sometimes' }),
    );
    expect(invalid.code).toBe(ExchangeErrorCode.InvalidInput);
  });

  it('passes the connection test for an Exchange Administrator app', async () => {
    const report = await runConnectionTest(clientFor(world));
    expect(report.steps.filter((s) => s.state !== 'passed')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('gets tokens with assertions signed by the vault contract (a fake vault: cert-vault is not committed yet)', async () => {
    const calls: { audience: string; authorization: string | undefined }[] = [];
    const vault: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { audience } = JSON.parse(body) as { audience: string };
        calls.push({ audience, authorization: req.headers.authorization });
        const signed = localAssertionProvider(world.appId, world.cert);
        void signed(audience).then((assertion) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              assertion,
              thumbprintSha1: world.cert.facts.thumbprintSha1,
              expiresAt: new Date(Date.now() + 600_000).toISOString(),
            }),
          );
        });
      });
    });
    await new Promise<void>((r) => vault.listen(0, '127.0.0.1', r));
    try {
      const connection = connectionTo(world);
      const vaultUrl = `http://127.0.0.1:${(vault.address() as AddressInfo).port}`;
      const sut = new ExchangeClientFactory({ http: world.http }).clientFor(
        connection,
        vaultAssertionProvider({
          vaultUrl,
          apiToken: 'api-token',
          connectionId: connection.id,
          http: world.http,
        }),
      );
      await sut.invoke('Get-OrganizationConfig');
      await sut.invoke('Get-OrganizationConfig');
      expect(calls).toEqual([{ audience: world.sandbox.tokenEndpoint, authorization: 'Bearer api-token' }]);
    } finally {
      await new Promise((r) => vault.close(r));
    }
  });
});

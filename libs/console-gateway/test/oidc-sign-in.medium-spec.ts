import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  generateServiceKey,
  type Identity,
  publicKeyOf,
  ServiceTokenVerifier,
  writeSecretFile,
} from '@easgate/identity';
import { waitFor } from '@easgate/testing';
import { createCertificateAuthority, issueServerCertificate } from '@easgate/tls';
import { chromium } from 'playwright-core';
import { Agent, fetch, type Response } from 'undici';

const FIXTURE = 'libs/console-gateway/test/oidc-provider.fixture.mjs';
const GATEWAY = ['tools/bin/run-ts.js', 'apps/console-gateway/src/main.ts'];
const ENTRA_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
/** Entra ID's shape: the issuer is per tenant, `roles` (app roles) is in the ID token. */
const ENTRA_LIKE = `/${ENTRA_TENANT}/v2.0`;
/** A provider that keeps profile claims out of ID tokens (OIDC Core 5.4): `roles` only at userinfo. */
const CONFORMING = '/conforming';
const TENANTS = ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com'];
const CLIENT_ID = 'easgate-console';

/**
 * Single sign-on through the console gateway against a real, certified OpenID Provider (panva's
 * oidc-provider, its development login and consent pages) over HTTPS with the test's own CA. The
 * gateway is apps/console-gateway as a process, configured from the environment only, in front of a
 * stand-in service that verifies the delegated tokens as the services do. The browser is fetch with a
 * cookie jar: it follows the redirects and submits the provider's forms.
 */
describe('single sign-on with a real OpenID Provider', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-gateway-oidc-'));
  const started: Started[] = [];
  const seen: (Identity | undefined)[] = [];
  const gatewayKey = generateServiceKey('console-gateway');
  const verifier = new ServiceTokenVerifier('alerting', () => [
    { name: 'console-gateway', publicKey: publicKeyOf(gatewayKey), tenants: '*', mayActForUsers: true },
  ]);
  let agent: Agent;
  let upstream: Server;
  let op: string;
  /** Roles in the ID token (Entra-like issuer). */
  let entra: string;
  /** Roles only at userinfo. */
  let conforming: string;
  /** Its provider starts during the test; it is given no CA for it. */
  let untrusting: string;
  /** Configured with Entra ID's multi-tenant issuer instead of a tenant's. */
  let common: string;
  let lateProviderPort: number;
  let lateProviderEnv: Record<string, string>;

  beforeAll(async () => {
    const ca = createCertificateAuthority('easgate test CA', 2);
    const server = issueServerCertificate(ca, 'op', ['127.0.0.1', 'localhost'], 1);
    const files = {
      ca: join(dir, 'ca.pem'),
      cert: join(dir, 'op.crt'),
      key: join(dir, 'op.key'),
      secret: join(dir, 'client-secret'),
      serviceKey: join(dir, 'console-gateway.key'),
    };
    writeFileSync(files.ca, ca.certPem);
    writeFileSync(files.cert, server.certPem);
    writeSecretFile(files.key, server.keyPem);
    const clientSecret = 'a client secret of the test, long enough for HS256';
    writeSecretFile(files.secret, `${clientSecret}\n`);
    writeSecretFile(
      files.serviceKey,
      gatewayKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    agent = new Agent({ connect: { ca: ca.certPem } });

    upstream = createServer((req, res) => {
      seen.push(verifier.verify(req.headers.authorization?.replace(/^Bearer /, '') ?? ''));
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((ok) => upstream.listen(0, '127.0.0.1', ok));
    const service = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    const [opPort, entraPort, conformingPort, untrustingPort, commonPort, latePort] = await freePorts(6);
    op = `https://127.0.0.1:${opPort}`;
    entra = `http://127.0.0.1:${entraPort}`;
    conforming = `http://127.0.0.1:${conformingPort}`;
    untrusting = `http://127.0.0.1:${untrustingPort}`;
    common = `http://127.0.0.1:${commonPort}`;
    lateProviderPort = latePort;
    const providerEnv = (port: number) => ({
      OP_TLS_CERT_FILE: files.cert,
      OP_TLS_KEY_FILE: files.key,
      OP_CONFIG: JSON.stringify({
        port,
        tenants: [
          { path: ENTRA_LIKE, conformIdTokenClaims: false },
          { path: CONFORMING, conformIdTokenClaims: true },
        ],
        client: {
          client_id: CLIENT_ID,
          client_secret: clientSecret,
          redirect_uris: [entra, conforming, untrusting].map((g) => `${g}/auth/oidc/callback`),
        },
        accounts: {
          ada: {
            preferred_username: 'ada@contoso.example',
            email: 'ada@contoso.example',
            name: 'Ada',
            roles: ['easgate.admin'],
          },
          olga: { preferred_username: 'olga@contoso.example', roles: ['easgate.operator', 'payroll.reader'] },
          eve: { preferred_username: 'eve@contoso.example', roles: ['payroll.reader'] },
        },
      }),
    });
    lateProviderEnv = providerEnv(latePort);
    const provider = run('oidc-provider', [FIXTURE], providerEnv(opPort));
    started.push(provider);

    const gateway = (url: string, issuer: string, extra: Record<string, string> = {}) =>
      run(`gateway ${url}`, GATEWAY, {
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: new URL(url).port,
        EASGATE_DATA_DIR: join(dir, `data-${new URL(url).port}`),
        EASGATE_SERVICE_KEY_FILE: files.serviceKey,
        CERT_VAULT_URL: service,
        EXCHANGE_EXECUTOR_URL: service,
        POLICY_TRANSLATOR_URL: service,
        ALERTING_URL: service,
        CONSOLE_OIDC_ISSUER: issuer,
        CONSOLE_OIDC_CLIENT_ID: CLIENT_ID,
        CONSOLE_OIDC_CLIENT_SECRET_FILE: files.secret,
        CONSOLE_OIDC_REDIRECT_URL: `${url}/auth/oidc/callback`,
        CONSOLE_OIDC_TENANTS: TENANTS.join(', '),
        ...extra,
      });
    const gateways = [
      gateway(entra, `${op}${ENTRA_LIKE}`, { CONSOLE_OIDC_CA_FILE: files.ca }),
      gateway(conforming, `${op}${CONFORMING}`, { CONSOLE_OIDC_CA_FILE: files.ca }),
      gateway(untrusting, `https://127.0.0.1:${latePort}${ENTRA_LIKE}`),
      gateway(common, `${op}/common/v2.0`, { CONSOLE_OIDC_CA_FILE: files.ca }),
    ];
    started.push(...gateways);
    await provider.ready((out) => out.includes(`listening ${op}`));
    for (const [g, url] of [
      [gateways[0], entra],
      [gateways[1], conforming],
      [gateways[2], untrusting],
      [gateways[3], common],
    ] as const)
      await g.ready(async () => (await fetch(`${url}/health/ready`)).status === 200);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop()));
    await new Promise((ok) => upstream?.close(ok));
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A browser: a cookie jar per host, redirects followed by hand, the provider's forms submitted. */
  class Browser {
    private readonly jar = new Map<string, Map<string, string>>();

    async open(url: string, form?: URLSearchParams): Promise<Response> {
      const { host } = new URL(url);
      const cookies = [...(this.jar.get(host) ?? [])].map(([name, value]) => `${name}=${value}`).join('; ');
      const res = await fetch(url, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        dispatcher: agent,
        headers: {
          ...(cookies && { cookie: cookies }),
          ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        ...(form && { body: form.toString() }),
      });
      const jar = this.jar.get(host) ?? new Map<string, string>();
      this.jar.set(host, jar);
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair.indexOf('=');
        const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
        if (value === '' || /max-age=0\b/i.test(line)) jar.delete(name);
        else jar.set(name, value);
      }
      return res;
    }

    /**
     * From the gateway's sign-in link to the provider's redirect back to the gateway: signs in as
     * `login` and consents at the provider. The callback URL is returned unopened.
     */
    async signInAtProvider(gateway: string, login: string): Promise<{ authorize: URL; callback: URL }> {
      const start = await this.open(`${gateway}/auth/oidc/start`);
      expect(start.status).toBe(302);
      const authorize = new URL(start.headers.get('location')!);
      let next: { url: string; form?: URLSearchParams } = { url: authorize.href };
      for (let hop = 0; hop < 20; hop++) {
        const res = await this.open(next.url, next.form);
        const location = res.headers.get('location');
        if (res.status >= 300 && res.status < 400 && location) {
          await res.arrayBuffer();
          const target = new URL(location, next.url);
          if (target.href.startsWith(`${gateway}/auth/oidc/callback`)) return { authorize, callback: target };
          next = { url: target.href };
          continue;
        }
        const html = await res.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
        if (res.status !== 200 || !action || !prompt)
          throw new Error(`the provider answered ${res.status} at ${next.url}: ${html.slice(0, 400)}`);
        const form = new URLSearchParams({ prompt });
        if (prompt === 'login') {
          form.set('login', login);
          form.set('password', 'the development login takes any password');
        }
        next = { url: new URL(action.replaceAll('&amp;', '&'), next.url).href, form };
      }
      throw new Error('the sign-in at the provider did not come back to the gateway');
    }

    async signIn(gateway: string, login: string) {
      const { authorize, callback } = await this.signInAtProvider(gateway, login);
      const res = await this.open(callback.href);
      return { authorize, callback, res };
    }
  }

  async function problem(res: Response): Promise<{ status: number; code: string; message: string }> {
    const body = (await res.json()) as { code: string; message: string };
    return { status: res.status, code: body.code, message: body.message };
  }

  async function tamperNextIdToken(path: string, claims: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${op}/test/tamper`, {
      method: 'POST',
      dispatcher: agent,
      body: JSON.stringify({ path, claims }),
    });
    expect(res.status).toBe(204);
  }

  it('signs an Entra-like user in (code flow, PKCE S256, state, nonce): an httpOnly SameSite session as the easgate user of its app roles', async () => {
    const browser = new Browser();
    const { authorize, res } = await browser.signIn(entra, 'ada');

    expect(authorize.origin + authorize.pathname).toBe(`${op}${ENTRA_LIKE}/auth`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${entra}/auth/oidc/callback`,
      scope: 'openid profile email',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/) as string,
      state: expect.stringMatching(/^[\w-]{20,}$/) as string,
      nonce: expect.stringMatching(/^[\w-]{20,}$/) as string,
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const session = res.headers.getSetCookie().find((c) => c.startsWith('easgate_session='))!;
    expect(session).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);

    const me = await browser.open(`${entra}/auth/session`);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: unknown }).user).toEqual({
      id: 'ada@contoso.example',
      roles: ['admin'],
      tenants: TENANTS,
    });
    const forwarded = await browser.open(`${entra}/api/alerting/v1/tenants/contoso.onmicrosoft.com/alerts`);
    expect(forwarded.status).toBe(200);
    expect(seen.at(-1)).toEqual({
      kind: 'user',
      id: 'ada@contoso.example',
      roles: ['admin'],
      tenants: TENANTS,
      via: 'console-gateway',
    });
  });

  it("signs in through a real browser (Chromium): the sign-in cookie crosses from the provider's site back to the callback, and the page's own calls carry the session", async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });
    try {
      // The browser is not given the test CA (the gateway is: that is the trust under test).
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      await page.goto(`${entra}/auth/oidc/start`);
      await page.fill('input[name=login]', 'ada');
      await page.fill('input[name=password]', 'the development login takes any password');
      await page.click('button[type=submit]');
      await page.click('button:has-text("Continue")');
      await page.waitForURL(`${entra}/`);
      // globalThis: this module's `fetch` is undici's, which the page does not have.
      const session = await page.evaluate(() =>
        globalThis.fetch('/auth/session').then(async (r) => ({ status: r.status, body: await r.json() })),
      );
      expect(session).toEqual({
        status: 200,
        body: expect.objectContaining({
          user: { id: 'ada@contoso.example', roles: ['admin'], tenants: TENANTS },
        }) as unknown,
      });
      const cookies = await context.cookies(entra);
      expect(cookies.find((c) => c.name === 'easgate_session')).toMatchObject({
        httpOnly: true,
        sameSite: 'Strict',
      });
      // The sign-in's own cookie is gone once used.
      expect(cookies.find((c) => c.name === 'easgate_oidc')).toBeUndefined();
    } finally {
      await browser.close();
    }
  });

  it('reads the roles from the userinfo endpoint when the provider keeps them out of the ID token', async () => {
    const browser = new Browser();
    const { res } = await browser.signIn(conforming, 'olga');
    expect(res.status).toBe(302);
    const me = await browser.open(`${conforming}/auth/session`);
    expect(((await me.json()) as { user: unknown }).user).toEqual({
      id: 'olga@contoso.example',
      roles: ['operator'],
      tenants: TENANTS,
    });
  });

  it.each([
    ['in the ID token', () => entra],
    ['at userinfo', () => conforming],
  ])('refuses a user with no easgate role %s, with no session', async (_where, gateway) => {
    const browser = new Browser();
    const { res } = await browser.signIn(gateway(), 'eve');
    expect(
      res.headers.getSetCookie().some((c) => c.startsWith('easgate_session=') && !/Max-Age=0/.test(c)),
    ).toBe(false);
    expect(await problem(res)).toEqual({
      status: 403,
      code: 'OIDC_NO_EASGATE_ROLE',
      message: expect.stringContaining('no easgate role is assigned to this user') as string,
    });
    expect((await browser.open(`${gateway()}/auth/session`)).status).toBe(401);
  });

  it.each([
    ['state', 'not-the-state-of-this-sign-in', 'the callback is not for this sign-in (state)'],
    [
      'iss',
      'https://login.example/another-tenant/v2.0',
      'the answer is from another issuer than CONSOLE_OIDC_ISSUER',
    ],
  ])('refuses a callback with another %s, and the same sign-in once more', async (parameter, value, why) => {
    const browser = new Browser();
    const { callback } = await browser.signInAtProvider(entra, 'ada');
    const forged = new URL(callback);
    forged.searchParams.set(parameter, value);
    expect(await problem(await browser.open(forged.href))).toEqual({
      status: 401,
      code: 'OIDC_RESPONSE_INVALID',
      message: `single sign-on refused: ${why}`,
    });
    // A sign-in is used once, whatever its outcome: the genuine callback comes too late.
    expect(await problem(await browser.open(callback.href))).toMatchObject({
      status: 400,
      code: 'OIDC_LOGIN_UNKNOWN',
    });
  });

  it('refuses a callback without the sign-in cookie of the browser that started it', async () => {
    const { callback } = await new Browser().signInAtProvider(entra, 'ada');
    const other = new Browser();
    expect(await problem(await other.open(callback.href))).toEqual({
      status: 400,
      code: 'OIDC_LOGIN_UNKNOWN',
      message: 'this sign-in was not started here, has expired or was already used: sign in again',
    });
  });

  it("refuses a code issued to another sign-in even with that sign-in's state (PKCE)", async () => {
    // The attacker's own code, injected into the victim's sign-in (RFC 9700 4.5): the victim's state
    // passes, the code was bound to the attacker's code_challenge.
    const attacker = await new Browser().signInAtProvider(entra, 'ada');
    const victim = new Browser();
    const { callback } = await victim.signInAtProvider(entra, 'olga');
    const injected = new URL(callback);
    injected.searchParams.set('code', attacker.callback.searchParams.get('code')!);
    expect(await problem(await victim.open(injected.href))).toEqual({
      status: 401,
      code: 'OIDC_RESPONSE_INVALID',
      message:
        'the provider refused the authorization code (invalid_grant: expired, already used, or not issued to this sign-in (PKCE))',
    });
  });

  it.each([
    [
      'another issuer',
      { iss: 'https://login.example/another-tenant/v2.0' },
      'the answer is from another issuer than CONSOLE_OIDC_ISSUER',
    ],
    ['another audience', { aud: 'another-client' }, 'the ID token was issued to another client (audience)'],
    [
      'another sign-in (nonce)',
      { nonce: 'the-nonce-of-another-sign-in' },
      'the ID token was issued for another sign-in (nonce)',
    ],
  ])('refuses an ID token of %s', async (_what, claims, why) => {
    await tamperNextIdToken(ENTRA_LIKE, claims);
    const browser = new Browser();
    const { res } = await browser.signIn(entra, 'ada');
    expect(await problem(res)).toEqual({
      status: 401,
      code: 'OIDC_RESPONSE_INVALID',
      message: `single sign-on refused: ${why}`,
    });
    expect((await browser.open(`${entra}/auth/session`)).status).toBe(401);
  });

  it('answers the user when the provider refuses the sign-in (the user cancels at the provider)', async () => {
    const browser = new Browser();
    const start = await browser.open(`${entra}/auth/oidc/start`);
    const authorize = new URL(start.headers.get('location')!);
    const interaction = await browser.open(authorize.href);
    const page = new URL(interaction.headers.get('location')!, authorize);
    let res = await browser.open(`${page.href}/abort`);
    while (res.status >= 300 && res.status < 400) {
      const target = new URL(res.headers.get('location')!, page);
      if (target.href.startsWith(`${entra}/auth/oidc/callback`)) break;
      res = await browser.open(target.href);
    }
    const callback = new URL(res.headers.get('location')!, page);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(await problem(await browser.open(callback.href))).toEqual({
      status: 403,
      code: 'OIDC_PROVIDER_REFUSED',
      message: 'the provider refused the sign-in (access_denied)',
    });
  });

  it('answers 502 while the provider is down, tries it again, and names CONSOLE_OIDC_CA_FILE for a certificate it does not trust', async () => {
    const down = await fetch(`${untrusting}/auth/oidc/start`, { redirect: 'manual' });
    expect(await problem(down)).toMatchObject({
      status: 502,
      code: 'OIDC_PROVIDER_UNAVAILABLE',
      message: expect.stringContaining(
        `the provider at 127.0.0.1:${lateProviderPort} did not answer`,
      ) as string,
    });
    const late = run('late oidc-provider', [FIXTURE], lateProviderEnv);
    started.push(late);
    await late.ready((out) => out.includes('listening'));
    const untrusted = await fetch(`${untrusting}/auth/oidc/start`, { redirect: 'manual' });
    expect(await problem(untrusted)).toEqual({
      status: 502,
      code: 'OIDC_PROVIDER_UNAVAILABLE',
      message: `the certificate of 127.0.0.1:${lateProviderPort} is not trusted: set CONSOLE_OIDC_CA_FILE to the CA that issued it`,
    });
  });

  it("refuses Entra ID's multi-tenant issuer, whose discovery document names a template, and says which to set", async () => {
    const res = await fetch(`${common}/auth/oidc/start`, { redirect: 'manual' });
    expect(await problem(res)).toEqual({
      status: 502,
      code: 'OIDC_PROVIDER_UNAVAILABLE',
      message:
        'the discovery document names another issuer than CONSOLE_OIDC_ISSUER: set the exact issuer ' +
        '(Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0, not /common or /organizations)',
    });
  });
});

interface Started {
  /** Waits until `check` holds (given the output so far); fails early, with the output, if the process exits. */
  ready(check: (output: string) => boolean | Promise<boolean>): Promise<void>;
  stop(): Promise<void>;
}

/** `node <args>` from the repository root with exactly `env` (and PATH). */
function run(name: string, args: string[], env: Record<string, string>): Started {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: resolve(__dirname, '../../..'),
    env: { PATH: process.env['PATH']!, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    ready: async (check) => {
      await waitFor(
        `${name} to be ready`,
        async () => {
          if (!running()) throw new Error(`${name} exited: ${output}`);
          return Promise.resolve()
            .then(() => check(output))
            .catch(() => false);
        },
        { timeoutMs: 90_000, intervalMs: 100 },
      ).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\n${name} said:\n${output}`);
      });
    },
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Ports nothing listens on now (the processes are given them before they start). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createNetServer>>((ok) => {
          const server = createNetServer();
          server.listen(0, '127.0.0.1', () => ok(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

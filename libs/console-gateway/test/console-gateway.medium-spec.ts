import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  actorOf,
  generateServiceKey,
  type Identity,
  publicKeyOf,
  ServiceTokenVerifier,
} from '@easgate/identity';
import { LocalUsers, type RunningConsoleGateway, Sessions, startConsoleGateway } from '../src';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Who the stand-in service authenticated, as a service verifies the gateway's tokens. */
  identity: Identity | undefined;
}

/**
 * The gateway over real sockets, in front of a stand-in service that authenticates what reaches it
 * with the services' own verifier (`@easgate/identity`) and records it.
 */
describe('console gateway', () => {
  let sut: RunningConsoleGateway;
  let upstream: Server;
  let dataDir: string;
  let services: Record<string, string>;
  const seen: Seen[] = [];
  const password = 'a long enough password';
  const gatewayKey = generateServiceKey('console-gateway');
  const verifier = new ServiceTokenVerifier('alerting', () => [
    { name: 'console-gateway', publicKey: publicKeyOf(gatewayKey), tenants: '*', mayActForUsers: true },
  ]);

  const start = () => startConsoleGateway({ port: 0, dataDir, services, serviceKey: gatewayKey });

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        identity: verifier.verify(bearer),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((ok) => upstream.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    services = { 'cert-vault': url, alerting: url, 'exchange-executor': url, 'policy-translator': url };
    dataDir = mkdtempSync(join(tmpdir(), 'console-gateway-'));
    sut = await start();
  });

  afterAll(async () => {
    await sut.close();
    await new Promise((ok) => upstream.close(ok));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(path: string, init: RequestInit & { cookie?: string; csrf?: string } = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (init.cookie) headers['cookie'] = init.cookie;
    if (init.csrf) headers['x-csrf-token'] = init.csrf;
    return fetch(`${sut.url}${path}`, { ...init, headers });
  }

  async function signIn(username = 'admin'): Promise<{ cookie: string; csrf: string }> {
    const res = await call('/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username, password }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }

  it('creates the first administrator only with the one-time code, once, and sets an httpOnly SameSite cookie', async () => {
    const code = new URL(sut.setupUrl!).hash.slice('#code='.length);
    const wrong = await call('/auth/setup', {
      method: 'POST',
      body: JSON.stringify({ code: 'wrong', username: 'admin', password }),
    });
    expect(wrong.status).toBe(403);
    const res = await call('/auth/setup', {
      method: 'POST',
      body: JSON.stringify({ code, username: 'admin', password }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const again = await call('/auth/setup', {
      method: 'POST',
      body: JSON.stringify({ code, username: 'eve', password }),
    });
    expect(again.status).toBe(403);
  });

  it('refuses a wrong password and a call without a session', async () => {
    const res = await call('/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'admin', password: 'nope nope nope' }),
    });
    expect(res.status).toBe(401);
    expect((await call('/api/alerting/v1/tenants/contoso/alerts')).status).toBe(401);
  });

  it('forwards a read as the signed-in user, verified by the service with its roles and tenants, never the cookie', async () => {
    const { cookie } = await signIn();
    const res = await call('/api/alerting/v1/tenants/contoso/alerts?state=open', { cookie });
    expect(res.status).toBe(200);
    const last = seen.at(-1)!;
    expect(last.url).toBe('/v1/tenants/contoso/alerts?state=open');
    expect(last.identity).toEqual({
      kind: 'user',
      id: 'admin',
      roles: ['admin'],
      tenants: '*',
      via: 'console-gateway',
    });
    expect(actorOf(last.identity!)).toBe('user:admin via console-gateway');
    expect(last.headers['x-easgate-actor']).toBeUndefined();
    expect(last.headers.cookie).toBeUndefined();
  });

  it('refuses a write without the CSRF token, or from another origin', async () => {
    const { cookie, csrf } = await signIn();
    const before = seen.length;
    const missing = await call('/api/alerting/v1/tenants/contoso/subscriptions', {
      method: 'POST',
      cookie,
      body: '{}',
    });
    expect(missing.status).toBe(403);
    const crossSite = await fetch(`${sut.url}/api/alerting/v1/tenants/contoso/subscriptions`, {
      method: 'POST',
      headers: {
        cookie,
        'x-csrf-token': csrf,
        origin: 'https://evil.example',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);
    expect(seen.length).toBe(before);
    const ok = await call('/api/alerting/v1/tenants/contoso/subscriptions', {
      method: 'POST',
      cookie,
      csrf,
      body: '{}',
    });
    expect(ok.status).toBe(200);
  });

  it('never forwards to the internal signing routes', async () => {
    const { cookie, csrf } = await signIn();
    const res = await call('/api/cert-vault/internal/v1/tenant-connections/c1/client-assertion', {
      method: 'POST',
      cookie,
      csrf,
      body: '{}',
    });
    expect(res.status).toBe(404);
  });

  it('logs out: the session no longer works', async () => {
    const { cookie, csrf } = await signIn();
    expect((await call('/auth/logout', { method: 'POST', cookie, csrf })).status).toBe(204);
    expect((await call('/auth/session', { cookie })).status).toBe(401);
  });

  it('keeps a session across a gateway restart, and a signed-out session stays signed out', async () => {
    const kept = await signIn();
    const signedOut = await signIn();
    expect((await call('/auth/logout', { method: 'POST', ...signedOut })).status).toBe(204);
    await sut.close();
    sut = await start();
    const session = await call('/auth/session', { cookie: kept.cookie });
    expect(session.status).toBe(200);
    expect(((await session.json()) as { csrfToken: string }).csrfToken).toBe(kept.csrf);
    expect((await call('/api/alerting/v1/tenants/contoso/alerts', { cookie: kept.cookie })).status).toBe(200);
    expect((await call('/auth/session', { cookie: signedOut.cookie })).status).toBe(401);
  });

  it('signs in an operator added while it runs, presents it with its roles and tenants, and ends its sessions when removed', async () => {
    // What `easgate identity add-console-user` / `remove-console-user` do to the data directory.
    await new LocalUsers(join(dataDir, 'console-users.json')).add(
      { id: 'olga', roles: ['operator'], tenants: ['contoso'] },
      password,
    );
    const olga = await signIn('olga');
    expect((await call('/api/alerting/v1/tenants/contoso/alerts', { cookie: olga.cookie })).status).toBe(200);
    expect(seen.at(-1)!.identity).toEqual({
      kind: 'user',
      id: 'olga',
      roles: ['operator'],
      tenants: ['contoso'],
      via: 'console-gateway',
    });
    expect(new LocalUsers(join(dataDir, 'console-users.json')).remove('olga')).toBe(true);
    const sessions = new Sessions(join(dataDir, 'console-sessions.sqlite'));
    expect(sessions.endAllOf('olga')).toBe(1);
    sessions.close();
    expect((await call('/auth/session', { cookie: olga.cookie })).status).toBe(401);
    const again = await call('/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'olga', password }),
    });
    expect(again.status).toBe(401);
  });
});

import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { extname, join, normalize, resolve, sep } from 'node:path';
import {
  type Identity,
  issueDelegatedToken,
  type ServiceKey,
  type UserRole,
  UserRoles,
} from '@easgate/identity';
import { createLogger, type Logger } from '@easgate/messaging';
import { peerDispatcher, refusedPeerCertificate } from '@easgate/tls';
import { LocalUsers } from './local-users';
import { OidcSignIn, OidcSignInError, type OidcSettings } from './oidc';
import { passwordProblem } from './passwords';
import { csrfMatches, type Session, Sessions, type SessionLifetimes } from './sessions';

/** The services the console reaches through `/api/<service>/…`. */
export const ConsoleServices = ['cert-vault', 'exchange-executor', 'policy-translator', 'alerting'] as const;
export type ConsoleService = (typeof ConsoleServices)[number];

function isConsoleService(name: string): name is ConsoleService {
  return (ConsoleServices as readonly string[]).includes(name);
}

export interface ConsoleGatewayOptions {
  /** 0 → any free port. */
  readonly port: number;
  readonly host?: string;
  /** Where the local accounts (`console-users.json`) and the sessions (`console-sessions.sqlite`) are kept, 0600. */
  readonly dataDir: string;
  /** Base URLs of the services, by name. */
  readonly services: Readonly<Record<string, string>>;
  /**
   * The gateway's own service key (`console-gateway`, trusted by the services to present users): each
   * forwarded call carries a 60-second token of this key naming the signed-in user, its roles and tenants.
   */
  readonly serviceKey: ServiceKey;
  readonly sessionLifetimes?: SessionLifetimes;
  /** The built console (index.html and assets); without it the gateway answers a page saying how to build it. */
  readonly staticDir?: string;
  /** The body of `/health` (the embedded status). */
  readonly health?: () => unknown;
  readonly oidc?: OidcSettings;
  /** Adds `Secure` to the session cookie (behind TLS; on by default when `tls` is given). */
  readonly secureCookies?: boolean;
  /** HTTPS with this certificate and key (PEM files), as the services' EASGATE_TLS_CERT_FILE/KEY_FILE. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** The CA (PEM) of the services' certificates, trusted besides the system CAs (EASGATE_TLS_CA_FILE). */
  readonly servicesCa?: string;
  /** The local accounts file (default `<dataDir>/console-users.json`); a read-only file (a mounted Secret) works. */
  readonly usersFile?: string;
  readonly logger?: Logger;
}

export interface RunningConsoleGateway {
  readonly url: string;
  /** The one-time sign-in link while no account exists (printed by `easgate start`). */
  readonly setupUrl?: string;
  close(): Promise<void>;
}

const SESSION_COOKIE = 'easgate_session';
const OIDC_COOKIE = 'easgate_oidc';
const MAX_BODY = 4 * 1024 * 1024;
const UPSTREAM_TIMEOUT_MS = 120_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The console's gateway: the only origin a browser talks to. It serves the built console, keeps
 * sessions (httpOnly SameSite=Strict cookie, a CSRF token on every write, Origin checked), signs
 * users in (local accounts with scrypt, the first one through a one-time bootstrap code; OpenID
 * Connect when configured), and forwards `/api/<service>/…` to the services as the signed-in user:
 * a delegated token of the gateway's service key carries the user's roles and tenants, and each
 * service authorizes the call by its own route policies (`@Access`) and audits the user as actor.
 * The gateway holds no authorization rules of its own: one model, enforced where the data is.
 */
export async function startConsoleGateway(options: ConsoleGatewayOptions): Promise<RunningConsoleGateway> {
  const logger = options.logger ?? createLogger('console-gateway');
  const users = new LocalUsers(options.usersFile ?? join(options.dataDir, 'console-users.json'));
  const secureCookies = options.secureCookies ?? options.tls !== undefined;
  const sessions = new Sessions(join(options.dataDir, 'console-sessions.sqlite'), options.sessionLifetimes);
  const oidc = options.oidc ? new OidcSignIn(options.oidc) : undefined;
  const bootstrapCode = users.issueBootstrapCode();
  // Node's fetch takes undici's agents; only the two packages' type declarations differ.
  const upstreamAgent = options.servicesCa ? peerDispatcher(options.servicesCa) : undefined;
  const upstreamDispatcher = upstreamAgent as unknown as RequestInit['dispatcher'];

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError || err instanceof OidcSignInError)
        return json(res, err.status, { code: err.code, message: err.message });
      logger.error(
        { err: err instanceof Error ? err.message : String(err), path: req.url },
        'console request failed',
      );
      if (!res.headersSent) json(res, 500, { code: 'INTERNAL', message: 'the console gateway failed' });
      else res.end();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer(
        { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) },
        listener,
      )
    : createServer(listener);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/health' || path === '/health/live' || path === '/health/ready')
      return json(res, 200, options.health?.() ?? { status: 'ok' });
    if (method !== 'GET' && method !== 'HEAD') checkOrigin(req);
    if (path.startsWith('/auth/')) return auth(req, res, method, path, url);
    if (path.startsWith('/api/')) return forward(req, res, method, path, url);
    if (method !== 'GET' && method !== 'HEAD')
      throw new HttpError(404, 'NOT_FOUND', `no route ${method} ${path}`);
    return serveStatic(res, path);
  }

  function checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    const host = req.headers.host;
    const allowed = host ? [`http://${host}`, `https://${host}`] : [];
    if (!allowed.includes(origin))
      throw new HttpError(403, 'FORBIDDEN_ORIGIN', 'cross-origin request refused');
  }

  function sessionOf(req: IncomingMessage): Session | undefined {
    return sessions.find(cookies(req)[SESSION_COOKIE]);
  }

  function requireSession(req: IncomingMessage, write: boolean): Session {
    const session = sessionOf(req);
    if (!session) throw new HttpError(401, 'UNAUTHENTICATED', 'sign in first');
    if (write && !csrfMatches(session, header(req, 'x-csrf-token')))
      throw new HttpError(403, 'CSRF_TOKEN_INVALID', 'missing or wrong X-CSRF-Token');
    return session;
  }

  function startSession(res: ServerResponse, identity: Identity): Session {
    const session = sessions.start(identity);
    res.setHeader('set-cookie', cookie(SESSION_COOKIE, session.id, { maxAge: 12 * 3600 }));
    return session;
  }

  function sessionBody(session: Session) {
    const { id, roles, tenants } = session.identity;
    return { user: { id, roles, tenants }, csrfToken: session.csrfToken };
  }

  async function auth(req: IncomingMessage, res: ServerResponse, method: string, path: string, url: URL) {
    if (method === 'GET' && path === '/auth/session') {
      const session = sessionOf(req);
      if (session) return json(res, 200, sessionBody(session));
      return json(res, 401, {
        code: 'UNAUTHENTICATED',
        message: 'sign in first',
        setupRequired: users.setupRequired,
        oidc: oidc !== undefined,
      });
    }
    if (method === 'POST' && path === '/auth/setup') {
      const body = record(await readJson(req));
      const code = text(body['code']);
      const username = text(body['username']).trim();
      const password = text(body['password']);
      if (!/^[\w.@+-]{1,200}$/.test(username))
        throw new HttpError(400, 'INVALID_REQUEST', 'a user name has letters, digits and . @ + - _');
      const problem = passwordProblem(password);
      if (problem) throw new HttpError(400, 'PASSWORD_TOO_WEAK', problem);
      const identity = await users.bootstrap(code, username, password);
      if (!identity)
        throw new HttpError(
          403,
          'BOOTSTRAP_CODE_INVALID',
          'the one-time sign-in link is wrong or already used',
        );
      logger.info({ user: identity.id }, 'first administrator created');
      return json(res, 200, sessionBody(startSession(res, identity)));
    }
    if (method === 'POST' && path === '/auth/login') {
      const body = record(await readJson(req));
      const identity = await users.authenticate(text(body['username']), text(body['password']));
      if (!identity) throw new HttpError(401, 'SIGN_IN_FAILED', 'wrong user name or password');
      return json(res, 200, sessionBody(startSession(res, identity)));
    }
    if (method === 'POST' && path === '/auth/logout') {
      const session = requireSession(req, true);
      sessions.end(session.id);
      res.setHeader('set-cookie', cookie(SESSION_COOKIE, '', { maxAge: 0 }));
      res.writeHead(204, SECURITY_HEADERS).end();
      return;
    }
    if (method === 'GET' && path === '/auth/oidc/start' && oidc) {
      const { url: target, loginId } = await oidc.start();
      res.setHeader('set-cookie', cookie(OIDC_COOKIE, loginId, { maxAge: 600, lax: true }));
      res.writeHead(302, { location: target, ...SECURITY_HEADERS }).end();
      return;
    }
    if (method === 'GET' && path === '/auth/oidc/callback' && oidc) {
      const callback = new URL(options.oidc!.redirectUrl);
      callback.search = url.search;
      const identity = await oidc.finish(cookies(req)[OIDC_COOKIE], callback).catch((err: unknown) => {
        const code = err instanceof OidcSignInError ? err.code : undefined;
        logger.warn({ code, err: err instanceof Error ? err.message : String(err) }, 'OIDC sign-in refused');
        res.setHeader('set-cookie', cookie(OIDC_COOKIE, '', { maxAge: 0, lax: true }));
        throw err;
      });
      const session = sessions.start(identity);
      res.setHeader('set-cookie', [
        cookie(SESSION_COOKIE, session.id, { maxAge: 12 * 3600 }),
        cookie(OIDC_COOKIE, '', { maxAge: 0, lax: true }),
      ]);
      res.writeHead(302, { location: '/', ...SECURITY_HEADERS }).end();
      return;
    }
    throw new HttpError(404, 'NOT_FOUND', `no route ${method} ${path}`);
  }

  async function forward(req: IncomingMessage, res: ServerResponse, method: string, path: string, url: URL) {
    const write = method !== 'GET' && method !== 'HEAD';
    const session = requireSession(req, write);
    const match = /^\/api\/([a-z-]+)(\/.*)?$/.exec(path);
    const service = match?.[1];
    if (!service || !isConsoleService(service) || !options.services[service])
      throw new HttpError(404, 'NOT_FOUND', `no service ${service ?? ''}`);
    const inner = match[2] ?? '/';
    // Service-only routes (the vault's signing) are never a browser's business, whoever signed in.
    if (inner === '/internal' || inner.startsWith('/internal/'))
      throw new HttpError(404, 'NOT_FOUND', 'internal routes are not reachable from the console');
    const raw = write ? await readBody(req) : undefined;
    const contentType = header(req, 'content-type');

    const target = `${options.services[service].replace(/\/+$/, '')}${inner}${url.search}`;
    const upstream = await fetch(target, {
      method,
      headers: {
        authorization: `Bearer ${userToken(session.identity, service)}`,
        accept: header(req, 'accept') ?? 'application/json',
        ...(contentType && { 'content-type': contentType }),
      },
      ...(raw && { body: new Uint8Array(raw) }),
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      ...(upstreamDispatcher && { dispatcher: upstreamDispatcher }),
    }).catch((err: unknown) => {
      const refused = refusedPeerCertificate(err, target);
      logger.warn(
        {
          service,
          code: refused?.code,
          err: refused?.message ?? (err instanceof Error ? err.message : String(err)),
        },
        'service unreachable',
      );
      if (refused)
        throw new HttpError(502, refused.code, `${service}'s certificate is not trusted by the gateway`);
      throw new HttpError(502, 'SERVICE_UNAVAILABLE', `${service} did not answer`);
    });
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'cache-control': 'no-store' };
    for (const name of ['content-type', 'content-disposition']) {
      const value = upstream.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
  }

  /** The user as the service `audience` verifies it (signed per request: Ed25519 costs microseconds). */
  function userToken(identity: Identity, audience: string): string {
    const roles = identity.roles.filter((r): r is UserRole => (UserRoles as readonly string[]).includes(r));
    return issueDelegatedToken(options.serviceKey, audience, {
      id: identity.id,
      roles,
      tenants: identity.tenants,
    });
  }

  function serveStatic(res: ServerResponse, path: string): void {
    const root = options.staticDir ? resolve(options.staticDir) : undefined;
    if (!root || !existsSync(join(root, 'index.html'))) {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS });
      res.end(
        '<!doctype html><html lang="en"><title>easgate console</title><main><h1>The console is not built</h1>' +
          '<p>Run <code>npm run console:build</code>, then reload.</p></main></html>',
      );
      return;
    }
    const file = normalize(join(root, decodeURIComponent(path)));
    const inside = file.startsWith(root + sep);
    const target = inside && existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
    const immutable = target.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    });
    res.end(readFileSync(target));
  }

  function cookie(name: string, value: string, opts: { maxAge: number; lax?: boolean }): string {
    return [
      `${name}=${value}`,
      'Path=/',
      'HttpOnly',
      `SameSite=${opts.lax ? 'Lax' : 'Strict'}`,
      `Max-Age=${opts.maxAge}`,
      ...(secureCookies ? ['Secure'] : []),
    ].join('; ');
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address() as { port: number };
  const host = options.host ?? '127.0.0.1';
  const base = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    url: base,
    ...(bootstrapCode !== undefined && { setupUrl: `${base}/setup#code=${bootstrapCode}` }),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => {
          sessions.close();
          void upstreamAgent?.close().catch(() => undefined);
          ok();
        });
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end(JSON.stringify(body));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `a request body has at most ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return size === 0 ? undefined : Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  return raw ? parseJson(raw) : {};
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'the body is not JSON');
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 2000) : '';
}

import { type KeyObject, createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { type AppSummary, Sandbox, type SandboxKnobs, defaultKnobs } from './domain/sandbox';
import { SandboxHttpServer } from './http/sandbox-http-server';
import { ensureTlsMaterial } from '@easgate/tls';
import type { AccessLevel } from './domain/access-state';

export interface SandboxAppOption {
  appId: string;
  /** Public certificate(s), PEM or DER. */
  certificates: (string | Buffer)[];
  /** Defaults: consent granted, Exchange Administrator (what `--app` gives). */
  consentGranted?: boolean;
  roles?: string[];
  displayName?: string;
}

export interface SandboxOptions {
  /** Directory for ca.pem, the server certificate and the token-signing key (created if missing). */
  tlsDir: string;
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  tenantId?: string;
  organization?: string;
  displayName?: string;
  apps?: SandboxAppOption[];
  mailboxes?: number;
  devices?: number;
  seed?: number;
  defaultAccessLevel?: AccessLevel;
  knobs?: Partial<SandboxKnobs>;
}

export interface RunningSandbox {
  /** `https://host:port` */
  baseUrl: string;
  host: string;
  port: number;
  /** PEM of the CA that issued the server certificate (also in `<tlsDir>/ca.pem`). */
  caPem: string;
  caPath: string;
  tenantId: string;
  organization: string;
  /** `https://host:port/<tenantId>` — the msal-node authority. */
  authority: string;
  /** `host:port` — put it in msal-node's `knownAuthorities`. */
  knownAuthority: string;
  /** `https://host:port/<tenantId>/oauth2/v2.0/token` */
  tokenEndpoint: string;
  /** `https://host:port/adminapi/beta/<tenantId>/InvokeCommand` */
  invokeCommandUrl: string;
  /** Registered apps (from `apps`). */
  apps: AppSummary[];
  /** The in-process simulated tenant (the same operations as the /_sandbox admin API). */
  sandbox: Sandbox;
  close(): Promise<void>;
}

export const DefaultTenantId = '9188040d-6c67-4c5b-b112-36a304b66dad';
export const DefaultOrganization = 'sandbox.onmicrosoft.com';

/** Starts the Exchange Online sandbox over HTTPS (in-process). */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const tls = ensureTlsMaterial(options.tlsDir, host === '0.0.0.0' || host === '::' ? [] : [host]);
  const sandbox = new Sandbox({
    tenantId: options.tenantId ?? DefaultTenantId,
    organization: options.organization ?? DefaultOrganization,
    displayName: options.displayName ?? 'easgate sandbox',
    seed: options.seed ?? 1,
    mailboxes: options.mailboxes ?? 50,
    devices: options.devices ?? 100,
    knobs: { ...defaultKnobs, ...options.knobs },
    signingKey: loadOrCreateSigningKey(options.tlsDir),
    ...(options.defaultAccessLevel ? { defaultAccessLevel: options.defaultAccessLevel } : {}),
  });
  const apps = (options.apps ?? []).map((a) =>
    sandbox.registerApp({
      appId: a.appId,
      displayName: a.displayName,
      certificates: a.certificates,
      consentGranted: a.consentGranted ?? true,
      roles: a.roles ?? ['Exchange Administrator'],
    }),
  );
  const http = new SandboxHttpServer(sandbox);
  const server = createServer({ cert: tls.certPem, key: tls.keyPem, keepAlive: true }, http.handle);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await listen(server, host, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const baseUrl = `https://${urlHost}:${port}`;
  const tenantId = sandbox.directory.tenant.tenantId;
  return {
    baseUrl,
    host: urlHost,
    port,
    caPem: tls.caPem,
    caPath: join(options.tlsDir, 'ca.pem'),
    tenantId,
    organization: sandbox.directory.tenant.organization,
    authority: `${baseUrl}/${tenantId}`,
    knownAuthority: `${urlHost}:${port}`,
    tokenEndpoint: `${baseUrl}/${tenantId}/oauth2/v2.0/token`,
    invokeCommandUrl: `${baseUrl}/adminapi/beta/${tenantId}/InvokeCommand`,
    apps,
    sandbox,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The sandbox's own token-signing key, kept beside the TLS material so tokens survive a restart. */
function loadOrCreateSigningKey(tlsDir: string): KeyObject {
  const path = join(tlsDir, 'token-signing-key.pem');
  if (existsSync(path)) return createPrivateKey(readFileSync(path, 'utf8'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return privateKey;
}

export function newTenantId(): string {
  return randomUUID();
}

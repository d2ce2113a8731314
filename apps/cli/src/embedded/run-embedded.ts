import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { startSandbox, type RunningSandbox } from '@easgate/exo-sandbox';
import { busFromEnv, createLogger, type MessageBus } from '@easgate/messaging';
import { ensurePrivateDir, writeSecretFile } from '@easgate/identity';
import {
  apiTokenFromEnv,
  generateApiToken,
  provisionServiceIdentities,
  type RunningService,
  startService,
} from '@easgate/service-runtime';
import { linkSandboxTenant, type SandboxTenantLink } from './sandbox-tenant';
import { embeddedServices } from './services';

export interface EmbeddedOptions {
  env?: NodeJS.ProcessEnv;
  /** Port of the status endpoint (default 8080; 0 = any). */
  port?: number;
  /** Resolves when the process should stop (default: SIGINT/SIGTERM). */
  stopSignal?: Promise<void>;
  /** Called once everything listens. */
  onReady?: (status: EmbeddedStatus) => void;
}

export interface EmbeddedStatus {
  statusUrl: string;
  dataDir: string;
  bus: MessageBus['kind'];
  database: 'postgres' | 'sqlite';
  apiTokenFile?: string;
  sandbox?: {
    baseUrl: string;
    tenantId: string;
    organization: string;
    caPath: string;
    link?: SandboxTenantLink;
  };
  services: { name: string; url: string }[];
}

function apiToken(env: NodeJS.ProcessEnv, dataDir: string): { token: string; file?: string } {
  const fromEnv = apiTokenFromEnv(env);
  if (fromEnv) return { token: fromEnv };
  const file = join(dataDir, 'api-token');
  if (!existsSync(file)) writeSecretFile(file, `${generateApiToken()}\n`);
  // An empty or short token file refuses to start (startService checks the length).
  return { token: readFileSync(file, 'utf8').trim(), file };
}

function signals(): Promise<void> {
  return new Promise((resolveStop) => {
    process.once('SIGINT', () => resolveStop());
    process.once('SIGTERM', () => resolveStop());
  });
}

/**
 * `easgate start`: every service in one process. Embedded defaults: the in-process bus, SQLite
 * under the data directory, and the local Exchange Online sandbox when no tenant is configured.
 * KAFKA_BROKERS and DATABASE_URL switch the same process to Kafka and PostgreSQL.
 */
export async function runEmbedded(options: EmbeddedOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const logger = createLogger('easgate');
  const dataDir = resolve(env['EASGATE_DATA_DIR'] ?? '.easgate');
  ensurePrivateDir(dataDir);
  const bus = busFromEnv('easgate', env);
  const databaseUrl = env['DATABASE_URL'];
  const { token, file: apiTokenFile } = apiToken(env, dataDir);
  // Each service signs its calls to the others with its own key (only the executor may get assertions).
  const identities = provisionServiceIdentities(
    join(dataDir, 'identity'),
    embeddedServices.map((d) => d.name),
  );

  let sandbox: RunningSandbox | undefined;
  const services: RunningService[] = [];
  let statusServer: Server | undefined;
  try {
    if (!env['EASGATE_TENANT_ID']) {
      sandbox = await startSandbox({
        tlsDir: join(dataDir, 'sandbox-tls'),
        port: Number(env['EASGATE_SANDBOX_PORT'] ?? 8443),
        mailboxes: Number(env['EASGATE_SANDBOX_MAILBOXES'] ?? 50),
        devices: Number(env['EASGATE_SANDBOX_DEVICES'] ?? 100),
      });
    }
    // The services trust the sandbox's CA as they would a corporate one: by configuration; and the
    // vault admits the sandbox's host as a connection endpoint (no other host besides the clouds').
    const serviceEnv: NodeJS.ProcessEnv = sandbox
      ? {
          EXECUTOR_CA_FILE: sandbox.caPath,
          VAULT_EXTRA_CA_FILE: sandbox.caPath,
          ...env,
          EASGATE_ALLOWED_ENDPOINT_HOSTS: [
            env['EASGATE_ALLOWED_ENDPOINT_HOSTS'],
            new URL(sandbox.baseUrl).host,
          ]
            .filter(Boolean)
            .join(','),
        }
      : env;
    const peers: Record<string, string> = {};
    for (const definition of embeddedServices) {
      const envPort = env[`${definition.name.toUpperCase().replace(/-/g, '_')}_PORT`];
      const running = await startService(definition, {
        bus,
        dataDir,
        apiToken: token,
        identity: { serviceKey: identities.keys.get(definition.name)!, trustedServices: identities.trusted },
        env: serviceEnv,
        peers: { ...peers },
        ...(databaseUrl !== undefined && { databaseUrl }),
        ...(envPort !== undefined && { port: Number(envPort) }),
        ...(env['HOST'] !== undefined && { host: env['HOST'] }),
      });
      services.push(running);
      peers[definition.name] = running.url;
    }

    const vaultUrl = peers['cert-vault'];
    const link = sandbox && vaultUrl ? await linkSandboxTenant(sandbox, vaultUrl, token, dataDir) : undefined;

    const status: EmbeddedStatus = {
      statusUrl: '',
      dataDir,
      bus: bus.kind,
      database: databaseUrl ? 'postgres' : 'sqlite',
      ...(apiTokenFile !== undefined && { apiTokenFile }),
      ...(sandbox !== undefined && {
        sandbox: {
          baseUrl: sandbox.baseUrl,
          tenantId: sandbox.tenantId,
          organization: sandbox.organization,
          caPath: sandbox.caPath,
          ...(link !== undefined && { link }),
        },
      }),
      services: services.map((s) => ({ name: s.name, url: s.url })),
    };
    statusServer = createServer((req, res) => {
      if (req.url === '/health' || req.url === '/health/live' || req.url === '/health/ready') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status: 'ok',
            bus: status.bus,
            database: status.database,
            services: status.services,
            sandbox: status.sandbox?.baseUrl,
          }),
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` }));
    });
    const port = options.port ?? Number(env['EASGATE_PORT'] ?? 8080);
    await new Promise<void>((ok, fail) => {
      statusServer!.once('error', fail);
      statusServer!.listen(port, env['HOST'] ?? '127.0.0.1', ok);
    });
    status.statusUrl = `http://127.0.0.1:${(statusServer.address() as { port: number }).port}`;
    (options.onReady ?? printStatus)(status);
    await (options.stopSignal ?? signals());
    logger.info('stopping');
  } finally {
    await new Promise((r) => (statusServer ? statusServer.close(r) : r(undefined)));
    for (const service of services.reverse()) await service.close();
    await bus.close();
    await sandbox?.close();
  }
}

function printStatus(status: EmbeddedStatus): void {
  const lines = [
    'easgate is running (Ctrl-C to stop)',
    `  status/health   ${status.statusUrl}/health`,
    `  data directory  ${status.dataDir}`,
    `  message bus     ${status.bus === 'kafka' ? 'Kafka (KAFKA_BROKERS)' : 'in-process'}`,
    `  database        ${status.database === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `SQLite in ${status.dataDir}`}`,
    ...(status.apiTokenFile ? [`  API token       ${status.apiTokenFile}`] : []),
    ...(status.sandbox
      ? [
          `  Exchange sandbox ${status.sandbox.baseUrl} (tenant ${status.sandbox.tenantId}, ${status.sandbox.organization})`,
          `  sandbox CA      ${status.sandbox.caPath}`,
          ...(status.sandbox.link
            ? [
                `  tenant link     app ${status.sandbox.link.appId}, vault connection ${status.sandbox.link.connectionId}, certificate ${status.sandbox.link.certificateThumbprint}`,
              ]
            : []),
        ]
      : []),
    ...status.services.map((s) => `  ${s.name.padEnd(15)} ${s.url} (OpenAPI ${s.url}/docs)`),
  ];
  console.log(lines.join('\n'));
}

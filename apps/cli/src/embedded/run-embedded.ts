import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  consoleGatewayOptionsFromEnv,
  type RunningConsoleGateway,
  startConsoleGateway,
} from '@easgate/console-gateway';
import { startSandbox, type RunningSandbox } from '@easgate/exo-sandbox';
import { busFromEnv, createLogger, type MessageBus } from '@easgate/messaging';
import { ConsoleGatewayService, ensurePrivateDir, writeSecretFile } from '@easgate/identity';
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
  /** Port of the console and its /health (default 8080; 0 = any). */
  port?: number;
  /** Resolves when the process should stop (default: SIGINT/SIGTERM). */
  stopSignal?: Promise<void>;
  /** Called once everything listens. */
  onReady?: (status: EmbeddedStatus) => void;
}

export interface EmbeddedStatus {
  statusUrl: string;
  /** The console (served by its gateway on the status port). */
  consoleUrl: string;
  /** The one-time link that creates the first console administrator (while none exists). */
  consoleSetupUrl?: string;
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
  // The in-process bus keeps its log in <dataDir>/bus.sqlite: what it acknowledged survives a crash.
  const bus = busFromEnv('easgate', env, { dataDir });
  const databaseUrl = env['DATABASE_URL'];
  const { token, file: apiTokenFile } = apiToken(env, dataDir);
  // Each service signs its calls to the others with its own key (only the executor may get assertions);
  // the console gateway's key presents its signed-in users to the services.
  const identities = provisionServiceIdentities(join(dataDir, 'identity'), [
    ...embeddedServices.map((d) => d.name),
    ConsoleGatewayService,
  ]);

  let sandbox: RunningSandbox | undefined;
  const services: RunningService[] = [];
  let gateway: RunningConsoleGateway | undefined;
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
    // EASGATE_SANDBOX_LINK=off leaves the sandbox tenant unconnected, for an admin to connect it in the console.
    const link =
      sandbox && vaultUrl && env['EASGATE_SANDBOX_LINK'] !== 'off'
        ? await linkSandboxTenant(sandbox, vaultUrl, token, dataDir)
        : undefined;

    const status: EmbeddedStatus = {
      statusUrl: '',
      consoleUrl: '',
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
    const port = options.port ?? Number(env['EASGATE_PORT'] ?? 8080);
    // The one construction of the gateway, shared with apps/console-gateway.
    gateway = await startConsoleGateway(
      consoleGatewayOptionsFromEnv(env, {
        port,
        dataDir,
        services: peers,
        serviceKey: identities.keys.get(ConsoleGatewayService)!,
        defaultStaticDir: consoleDir(),
        health: () => ({
          status: 'ok',
          bus: status.bus,
          database: status.database,
          services: status.services,
          sandbox: status.sandbox?.baseUrl,
          ...(status.sandbox && {
            sandboxTenant: { tenantId: status.sandbox.tenantId, organization: status.sandbox.organization },
          }),
        }),
      }),
    );
    status.statusUrl = gateway.url;
    status.consoleUrl = `${gateway.url}/`;
    if (gateway.setupUrl) status.consoleSetupUrl = gateway.setupUrl;
    (options.onReady ?? printStatus)(status);
    await (options.stopSignal ?? signals());
    logger.info('stopping');
  } finally {
    await gateway?.close();
    for (const service of services.reverse()) await service.close();
    await bus.close();
    await sandbox?.close();
  }
}

/** The console built by `npm run console:build` (dist/apps/console at the repository root). */
function consoleDir(): string {
  return resolve(__dirname, '../../../../dist/apps/console');
}

function printStatus(status: EmbeddedStatus): void {
  const lines = [
    'easgate is running (Ctrl-C to stop)',
    `  console         ${status.consoleUrl}`,
    ...(status.consoleSetupUrl
      ? [`  first sign-in   ${status.consoleSetupUrl} (one-time link: creates the administrator)`]
      : []),
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

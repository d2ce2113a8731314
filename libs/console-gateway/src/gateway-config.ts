import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConsoleGatewayService,
  ensurePrivateDir,
  readSecretFile,
  type ServiceKey,
  serviceKeyFromPem,
} from '@easgate/identity';
import { createLogger, type Logger } from '@easgate/messaging';
import { peerCaFromEnv } from '@easgate/tls';
import { z } from 'zod';
import {
  type ConsoleGatewayOptions,
  ConsoleServices,
  type RunningConsoleGateway,
  startConsoleGateway,
} from './console-gateway';
import { oidcSettingsFrom } from './oidc';

/** What the environment does not decide: given by `easgate start`, or read by the standalone app. */
export interface ConsoleGatewayGiven {
  readonly port: number;
  readonly dataDir: string;
  readonly services: Readonly<Record<string, string>>;
  readonly serviceKey: ServiceKey;
  /** The built console when EASGATE_CONSOLE_DIR is not set. */
  readonly defaultStaticDir: string;
  readonly health?: () => unknown;
  readonly logger?: Logger;
}

const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The settings `easgate start` and the standalone gateway share (none of them secret). */
const SharedEnv = z.object({
  HOST: z.string().min(1).optional(),
  EASGATE_CONSOLE_DIR: z.string().min(1).optional(),
  CONSOLE_USERS_FILE: z.string().min(1).optional(),
  CONSOLE_SECURE_COOKIES: Flag.optional(),
  EASGATE_TLS_CERT_FILE: z.string().min(1).optional(),
  EASGATE_TLS_KEY_FILE: z.string().min(1).optional(),
  EASGATE_TLS_CA_FILE: z.string().min(1).optional(),
});

const Port = z.coerce.number().int().min(0).max(65_535);

/** The standalone gateway's own settings (`easgate start` gives these itself). */
const StandaloneEnv = z.object({
  CERT_VAULT_URL: z.url(),
  EXCHANGE_EXECUTOR_URL: z.url(),
  POLICY_TRANSLATOR_URL: z.url(),
  ALERTING_URL: z.url(),
  EASGATE_SERVICE_KEY_FILE: z.string().min(1),
  EASGATE_DATA_DIR: z.string().min(1).default('.easgate'),
  CONSOLE_GATEWAY_PORT: Port.optional(),
  PORT: Port.optional(),
  EASGATE_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(25_000),
});

export class ConsoleGatewayConfigError extends Error {
  readonly code = 'CONSOLE_GATEWAY_CONFIG';
}

function parse<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  // Names only, never a value (a value may be a secret).
  const keys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
  throw new ConsoleGatewayConfigError(`invalid or missing ${keys.join(', ')}`);
}

/**
 * The gateway's options: what `given` says plus the environment's shared settings (HOST,
 * EASGATE_CONSOLE_DIR, CONSOLE_USERS_FILE, CONSOLE_SECURE_COOKIES, EASGATE_TLS_CERT_FILE + EASGATE_TLS_KEY_FILE,
 * EASGATE_TLS_CA_FILE (the services' CA), CONSOLE_OIDC_*). The one construction behind `easgate start` and apps/console-gateway. A bad setting
 * throws naming each bad key.
 */
export function consoleGatewayOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  given: ConsoleGatewayGiven,
): ConsoleGatewayOptions {
  const shared = parse(SharedEnv, env);
  if ((shared.EASGATE_TLS_CERT_FILE === undefined) !== (shared.EASGATE_TLS_KEY_FILE === undefined))
    throw new ConsoleGatewayConfigError('EASGATE_TLS_CERT_FILE and EASGATE_TLS_KEY_FILE are needed together');
  for (const key of ['EASGATE_CONSOLE_DIR', 'CONSOLE_USERS_FILE'] as const) {
    // Set explicitly but absent: a wrong mount, refused rather than served as "console not built".
    const file = shared[key];
    if (file !== undefined && !existsSync(file))
      throw new ConsoleGatewayConfigError(`${key}: ${file} does not exist`);
  }
  const oidc = oidcSettingsFrom(env);
  const servicesCa = peerCaFromEnv(env);
  return {
    port: given.port,
    dataDir: given.dataDir,
    services: given.services,
    serviceKey: given.serviceKey,
    staticDir: shared.EASGATE_CONSOLE_DIR ?? given.defaultStaticDir,
    ...(shared.HOST !== undefined && { host: shared.HOST }),
    ...(shared.CONSOLE_USERS_FILE !== undefined && { usersFile: shared.CONSOLE_USERS_FILE }),
    ...(shared.CONSOLE_SECURE_COOKIES !== undefined && { secureCookies: shared.CONSOLE_SECURE_COOKIES }),
    ...(shared.EASGATE_TLS_CERT_FILE !== undefined &&
      shared.EASGATE_TLS_KEY_FILE !== undefined && {
        tls: { certFile: shared.EASGATE_TLS_CERT_FILE, keyFile: shared.EASGATE_TLS_KEY_FILE },
      }),
    ...(servicesCa !== undefined && { servicesCa }),
    ...(oidc && { oidc }),
    ...(given.health && { health: given.health }),
    ...(given.logger && { logger: given.logger }),
  };
}

/** The service URL variables, by service: CERT_VAULT_URL … */
export const ConsoleServiceUrlEnv: Readonly<Record<(typeof ConsoleServices)[number], string>> = {
  'cert-vault': 'CERT_VAULT_URL',
  'exchange-executor': 'EXCHANGE_EXECUTOR_URL',
  'policy-translator': 'POLICY_TRANSLATOR_URL',
  alerting: 'ALERTING_URL',
};

export interface StandaloneConsoleGateway {
  readonly gateway: RunningConsoleGateway;
  readonly shutdownTimeoutMs: number;
}

/**
 * The gateway alone (apps/console-gateway), configured from the environment: the four services' URLs
 * (CERT_VAULT_URL, EXCHANGE_EXECUTOR_URL, POLICY_TRANSLATOR_URL, ALERTING_URL), its Ed25519 key
 * (EASGATE_SERVICE_KEY_FILE, 0600), EASGATE_DATA_DIR (sessions, and accounts unless CONSOLE_USERS_FILE),
 * CONSOLE_GATEWAY_PORT or PORT (default 8080), and the shared settings of consoleGatewayOptionsFromEnv.
 */
export async function startConsoleGatewayFromEnv(
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<StandaloneConsoleGateway> {
  const own = parse(StandaloneEnv, env);
  const services = Object.fromEntries(
    ConsoleServices.map((service) => [service, env[ConsoleServiceUrlEnv[service]]!]),
  );
  const serviceKey = serviceKeyFromPem(ConsoleGatewayService, readSecretFile(own.EASGATE_SERVICE_KEY_FILE));
  // Sessions (and accounts by default) live here, 0700: a fresh volume is made ready, as `easgate start` does.
  ensurePrivateDir(own.EASGATE_DATA_DIR);
  const options = consoleGatewayOptionsFromEnv(env, {
    port: own.CONSOLE_GATEWAY_PORT ?? own.PORT ?? 8080,
    dataDir: own.EASGATE_DATA_DIR,
    services,
    serviceKey,
    // The image's layout (/app/dist/apps/console) and the repository's, from the working directory.
    defaultStaticDir: resolve('dist/apps/console'),
    health: () => ({ status: 'ok', services: Object.keys(services) }),
    logger,
  });
  if (!existsSync(join(options.staticDir!, 'index.html')))
    logger.warn({ staticDir: options.staticDir }, 'the console is not built: the gateway answers 503 pages');
  const gateway = await startConsoleGateway(options);
  return { gateway, shutdownTimeoutMs: own.EASGATE_SHUTDOWN_TIMEOUT_MS };
}

/**
 * The whole of apps/console-gateway's main.ts. A failed start exits 1 with one line naming what is
 * wrong; SIGTERM/SIGINT closes the server and the sessions store and exits 0 within
 * EASGATE_SHUTDOWN_TIMEOUT_MS (default 25 s), else exits 1.
 */
export function runConsoleGatewayStandalone(env: NodeJS.ProcessEnv = process.env): void {
  const logger = createLogger(ConsoleGatewayService);
  startConsoleGatewayFromEnv(env, logger).then(
    ({ gateway, shutdownTimeoutMs }) => {
      logger.info(
        { url: gateway.url },
        gateway.setupUrl
          ? 'console gateway listening; no account yet: open the one-time setup link printed below'
          : 'console gateway listening',
      );
      // The bootstrap link is a one-time credential for the first administrator: on stdout only once.
      if (gateway.setupUrl) process.stdout.write(`first sign-in: ${gateway.setupUrl}\n`);
      const stop = (signal: NodeJS.Signals): void => {
        logger.info({ signal }, 'console gateway stopping');
        setTimeout(() => {
          logger.error({ shutdownTimeoutMs }, 'console gateway did not stop in time: exiting');
          process.exit(1);
        }, shutdownTimeoutMs).unref();
        gateway.close().then(
          () => {
            logger.info('console gateway stopped');
            process.exit(0);
          },
          (err: unknown) => {
            logger.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      logger.fatal({ err: reason }, `console-gateway failed to start: ${reason}`);
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 5_000).unref();
    },
  );
}

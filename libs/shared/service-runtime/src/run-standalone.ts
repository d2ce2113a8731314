import { createLogger, kafkaBrokersFromEnv, kafkaBusFromEnv, type MessageBus } from '@easgate/messaging';
import type { ServiceDefinition } from './service-definition';
import { identityFromEnv } from './identity/service-identity';
import { apiTokenFromEnv, startService, tlsFromEnv } from './start-service';

const PEERS = ['cert-vault', 'exchange-executor', 'policy-translator', 'alerting'];

function envName(service: string, suffix: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_${suffix}`;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * The whole of an app's main.ts: one service alone, configured from the environment
 * (KAFKA_BROKERS, DATABASE_URL, EASGATE_API_TOKEN[_FILE] and/or EASGATE_CALLERS_FILE,
 * EASGATE_SERVICE_KEY_FILE, EASGATE_TRUSTED_SERVICES_FILE, EASGATE_TLS_CERT_FILE + EASGATE_TLS_KEY_FILE (HTTPS),
 * EASGATE_DATA_DIR, HOST, <NAME>_PORT or PORT,
 * <PEER>_URL for the other services it calls), stopped on SIGTERM/SIGINT.
 * KAFKA_BROKERS is required: alone, an in-process bus would silently drop what the service publishes.
 * A failed start exits 1 with one line; SIGTERM closes in order and exits 0 within
 * EASGATE_SHUTDOWN_TIMEOUT_MS (default 25 s, under Kubernetes' 30 s grace period), else exits 1.
 */
export function runServiceStandalone(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const logger = createLogger(definition.name);
  const start = async () => {
    const apiToken = apiTokenFromEnv(env);
    const identity = identityFromEnv(definition.name, env);
    const tls = tlsFromEnv(env);
    if (!apiToken && !identity.callers)
      throw new Error('EASGATE_CALLERS_FILE, EASGATE_API_TOKEN or EASGATE_API_TOKEN_FILE is required');
    if (kafkaBrokersFromEnv(env).length === 0)
      throw new Error(
        'KAFKA_BROKERS is required to run a service on its own (only `easgate start` has an in-process bus)',
      );
    const bus: MessageBus = kafkaBusFromEnv(definition.name, env);
    const port = env[envName(definition.name, 'PORT')] ?? env['PORT'];
    const peers = Object.fromEntries(
      PEERS.map((peer) => [peer, env[envName(peer, 'URL')]]).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const service = await startService(definition, {
      bus,
      ...(env['DATABASE_URL'] !== undefined && { databaseUrl: env['DATABASE_URL'] }),
      dataDir: env['EASGATE_DATA_DIR'] ?? '.easgate',
      ...(apiToken !== undefined && { apiToken }),
      identity,
      ...(tls && { tls }),
      env,
      peers,
      ...(env['HOST'] !== undefined && { host: env['HOST'] }),
      ...(port !== undefined && { port: Number(port) }),
      logger,
      ownsBus: true,
    });
    const shutdownTimeoutMs = Number(env['EASGATE_SHUTDOWN_TIMEOUT_MS'] ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, `${definition.name} stopping`);
      setTimeout(() => {
        logger.error({ shutdownTimeoutMs }, `${definition.name} did not stop in time: exiting`);
        process.exit(1);
      }, shutdownTimeoutMs).unref();
      service.close().then(
        () => {
          logger.info(`${definition.name} stopped`);
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
  };
  start().catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    logger.fatal({ err: reason }, `${definition.name} failed to start: ${reason}`);
    // startService tore down what it had started, so the process ends by itself with code 1.
    // Should something still keep it alive, it must not hang half-started: force the exit.
    process.exitCode = 1;
    setTimeout(() => {
      logger.error(`${definition.name}: something kept running after the failed start, exiting`);
      process.exit(1);
    }, 5_000).unref();
  });
}

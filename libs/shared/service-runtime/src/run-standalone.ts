import { busFromEnv, createLogger } from '@easgate/messaging';
import type { ServiceDefinition } from './service-definition';
import { identityFromEnv } from './identity/service-identity';
import { apiTokenFromEnv, startService, tlsFromEnv } from './start-service';

const PEERS = ['cert-vault', 'exchange-executor', 'policy-translator', 'alerting'];

function envName(service: string, suffix: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_${suffix}`;
}

/**
 * The whole of an app's main.ts: one service alone, configured from the environment
 * (KAFKA_BROKERS, DATABASE_URL, EASGATE_API_TOKEN[_FILE] and/or EASGATE_CALLERS_FILE,
 * EASGATE_SERVICE_KEY_FILE, EASGATE_TRUSTED_SERVICES_FILE, EASGATE_TLS_CERT_FILE + EASGATE_TLS_KEY_FILE (HTTPS),
 * EASGATE_DATA_DIR, HOST, <NAME>_PORT or PORT,
 * <PEER>_URL for the other services it calls), stopped on SIGTERM/SIGINT.
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
    const bus = busFromEnv(definition.name, env);
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
    });
    const stop = (): void => {
      void service
        .close()
        .then(() => bus.close())
        .then(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  };
  start().catch((err: unknown) => {
    logger.fatal(
      { err: err instanceof Error ? err.message : String(err) },
      `${definition.name} failed to start`,
    );
    process.exit(1);
  });
}

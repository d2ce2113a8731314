import 'reflect-metadata';
import { certVaultDefinition } from '@easgate/cert-vault';
import { busFromEnv, createLogger } from '@easgate/messaging';
import { apiTokenFromEnv, startService } from '@easgate/service-runtime';

// Thin standalone entry: configuration from the environment, then the same service `easgate start` runs.
const env = process.env;
const logger = createLogger('cert-vault');

async function main(): Promise<void> {
  const apiToken = apiTokenFromEnv(env);
  if (!apiToken) throw new Error('EASGATE_API_TOKEN or EASGATE_API_TOKEN_FILE is required');
  const bus = busFromEnv('cert-vault', env);
  const service = await startService(certVaultDefinition, {
    bus,
    ...(env['DATABASE_URL'] !== undefined && { databaseUrl: env['DATABASE_URL'] }),
    dataDir: env['EASGATE_DATA_DIR'] ?? '.easgate',
    apiToken,
    env,
    ...(env['HOST'] !== undefined && { host: env['HOST'] }),
    ...((env['CERT_VAULT_PORT'] ?? env['PORT']) !== undefined && { port: Number(env['CERT_VAULT_PORT'] ?? env['PORT']) }),
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
}

main().catch((err: unknown) => {
  logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'cert-vault failed to start');
  process.exit(1);
});

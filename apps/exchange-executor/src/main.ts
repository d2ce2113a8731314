import 'reflect-metadata';
import { exchangeExecutorDefinition } from '@easgate/exchange-executor';
import { busFromEnv, createLogger } from '@easgate/messaging';
import { apiTokenFromEnv, startService } from '@easgate/service-runtime';

// Thin standalone entry: configuration from the environment, then the same service `easgate start` runs.
const env = process.env;
const logger = createLogger('exchange-executor');

async function main(): Promise<void> {
  const apiToken = apiTokenFromEnv(env);
  if (!apiToken) throw new Error('EASGATE_API_TOKEN or EASGATE_API_TOKEN_FILE is required');
  const bus = busFromEnv('exchange-executor', env);
  const service = await startService(exchangeExecutorDefinition, {
    bus,
    ...(env['DATABASE_URL'] !== undefined && { databaseUrl: env['DATABASE_URL'] }),
    dataDir: env['EASGATE_DATA_DIR'] ?? '.easgate',
    apiToken,
    env,
    ...(env['HOST'] !== undefined && { host: env['HOST'] }),
    ...((env['EXCHANGE_EXECUTOR_PORT'] ?? env['PORT']) !== undefined && {
      port: Number(env['EXCHANGE_EXECUTOR_PORT'] ?? env['PORT']),
    }),
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
  logger.fatal(
    { err: err instanceof Error ? err.message : String(err) },
    'exchange-executor failed to start',
  );
  process.exit(1);
});

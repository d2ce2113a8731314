// Run as a child process by exchange-executor-replicas.medium-spec: one more executor instance on the
// same database and consumer group. With REPLICA_DIE_AFTER=Clear-MobileDevice it dies (SIGKILL) as soon
// as Exchange answered a wipe, before the pass could commit the result: the crash between call and commit.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { KafkaBus } from '@easgate/messaging';
import { startService } from '@easgate/service-runtime';
import { testBrokers } from '@easgate/testing';
import { exchangeExecutorService, type HttpRequest, UndiciTransport } from '../../src';

async function main(): Promise<void> {
  const env = process.env;
  const dieAfter = env['REPLICA_DIE_AFTER'];
  const undici = new UndiciTransport({ caPem: readFileSync(env['EXECUTOR_CA_FILE']!, 'utf8') });
  const http = {
    async request(request: HttpRequest) {
      const response = await undici.request(request);
      if (dieAfter && response.status === 200 && request.headers?.['X-CmdletName'] === dieAfter) {
        process.stdout.write(`died after ${dieAfter}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
      return response;
    },
    close: () => undici.close(),
  };
  const bus = new KafkaBus({
    brokers: testBrokers(),
    clientId: `replica-${process.pid}`,
    sessionTimeoutMs: Number(env['REPLICA_SESSION_TIMEOUT_MS'] ?? 30_000),
  });
  await startService(exchangeExecutorService({ http }), {
    bus,
    databaseUrl: env['REPLICA_DATABASE_URL']!,
    dataDir: env['REPLICA_DATA_DIR']!,
    apiToken: 'replica-api-token-for-tests',
    port: 0,
    consumerGroup: env['REPLICA_GROUP']!,
    fromBeginning: false,
    env,
  });
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`replica failed: ${String(err)}\n`);
  process.exit(1);
});

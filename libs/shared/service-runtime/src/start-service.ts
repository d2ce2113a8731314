import { readFileSync } from 'node:fs';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { APP_GUARD, ModuleRef, NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type ServiceName, ServiceTopics, topicSpecsOf } from '@easgate/contracts';
import {
  createLogger,
  deadLetterInspectorFor,
  EasgateTransport,
  Inbox,
  isInfrastructureError,
  KafkaBus,
  type Logger,
  type MessageBus,
  MessagingModule,
  messagingEntities,
  messagingMigrations,
  type RetryPolicy,
} from '@easgate/messaging';
import { Database, type DatabaseOptions } from '@easgate/persistence';
import { assertTokenStrength } from '@easgate/identity';
import { peerCaFromEnv } from '@easgate/tls';
import { AuthorizationGuard } from './identity/authorization.guard';
import { type IdentityOptions, serviceIdentity } from './identity/service-identity';
import { EasgateExceptionFilter } from './exception.filter';
import { HealthController, SERVICE_NAME } from './health.controller';
import { DEAD_LETTERS, DeadLettersController, deadLetterTopicsOf } from './dead-letters.controller';
import { documentRuntimeErrors, successStatuses } from './openapi-errors';
import { deliveryMetrics } from './metrics';
import { PeriodicTask } from './periodic-task';
import type { ServiceContext, ServiceDefinition } from './service-definition';

export interface StartServiceOptions {
  bus: MessageBus;
  /** postgres:// URL; absent → SQLite under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** 0 → any free port. */
  port?: number;
  host?: string;
  /**
   * The legacy single API token, accepted as an admin of every tenant (at least 16 characters;
   * an empty or short one refuses to start). Per-caller tokens: `identity.callers`.
   */
  apiToken?: string;
  /** Per-caller tokens and service keys; without keys, the services of the process trust each other. */
  identity?: IdentityOptions;
  /** Serve HTTPS with this certificate and key (PEM files: EASGATE_TLS_CERT_FILE, EASGATE_TLS_KEY_FILE). */
  tls?: { certFile: string; keyFile: string };
  env?: NodeJS.ProcessEnv;
  peers?: Record<string, string>;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /**
   * Consumer group (default `easgate-<name>`). Tests pass a unique one with `fromBeginning: false`
   * so that they neither share partitions with nor replay the history of other tests.
   */
  consumerGroup?: string;
  fromBeginning?: boolean;
  /** Partitions handled at once (order still holds per partition, so per key). Default 3. */
  partitionsConsumedConcurrently?: number;
  /**
   * The bus belongs to this service alone (an app's main.ts): close() closes it after the outbox
   * relay's last pass and before the database, and a failed start closes it too.
   */
  ownsBus?: boolean;
  /** How long a start retries an unreachable database (default DATABASE_CONNECT_TIMEOUT_MS or 30 s). */
  databaseConnectTimeoutMs?: number;
  /**
   * Processed-message rows are kept this long (default INBOX_RETENTION_DAYS or 7 days: longer than
   * any redelivery window, the topics' own retention), then purged every `inboxPurgeIntervalMs` (1 h).
   */
  inboxRetentionMs?: number;
  inboxPurgeIntervalMs?: number;
}

export interface RunningService {
  readonly name: string;
  readonly url: string;
  readonly app: INestApplication;
  readonly database: Database;
  close(): Promise<void>;
}

/**
 * HTTPS from EASGATE_TLS_CERT_FILE and EASGATE_TLS_KEY_FILE (both or neither). EASGATE_TLS_CA_FILE, the
 * CA the service's own clients trust for its peers, is checked here too, so that every service refuses
 * to start with a CA file it cannot read (TLS_CA_FILE_INVALID) rather than fail on its first call.
 */
export function tlsFromEnv(env: NodeJS.ProcessEnv = process.env): StartServiceOptions['tls'] {
  peerCaFromEnv(env);
  const certFile = env['EASGATE_TLS_CERT_FILE'];
  const keyFile = env['EASGATE_TLS_KEY_FILE'];
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile)
    throw new Error('EASGATE_TLS_CERT_FILE and EASGATE_TLS_KEY_FILE are needed together');
  return { certFile, keyFile };
}

/**
 * The legacy admin API token: EASGATE_API_TOKEN, or the file EASGATE_API_TOKEN_FILE names (a Kubernetes
 * Secret). A set but empty or short token is an error (API_TOKEN_TOO_SHORT), never "no authentication".
 */
export function apiTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['EASGATE_API_TOKEN'] !== undefined) {
    assertTokenStrength(env['EASGATE_API_TOKEN'], 'EASGATE_API_TOKEN');
    return env['EASGATE_API_TOKEN'];
  }
  const file = env['EASGATE_API_TOKEN_FILE'];
  if (file) {
    const token = readFileSync(file, 'utf8').trim();
    assertTokenStrength(token, 'EASGATE_API_TOKEN_FILE');
    return token;
  }
  return undefined;
}

export { generateApiToken } from '@easgate/identity';

const DAY_MS = 24 * 3600_000;
const INBOX_PURGE_INTERVAL_MS = 3600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function numberFromEnv(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${key} must be a non-negative number`);
  return value;
}

function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(ServiceTopics, name);
}

/** Opens the database, retrying while it is unreachable (starting, failing over), up to `timeoutMs`. */
async function openDatabase(options: DatabaseOptions, timeoutMs: number, logger: Logger): Promise<Database> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 1; ; wait++) {
    try {
      return await Database.open(options);
    } catch (err) {
      const retryInMs = Math.min(2_000, 250 * 2 ** Math.min(wait - 1, 3));
      if (!isInfrastructureError(err)) throw err;
      if (Date.now() + retryInMs > deadline)
        throw new Error(
          `database unreachable after ${timeoutMs} ms (DATABASE_CONNECT_TIMEOUT_MS): ${err instanceof Error ? err.message : String(err)}`,
        );
      logger.warn(
        { wait, retryInMs, reason: err instanceof Error ? err.message : String(err) },
        'database not reachable yet, waiting',
      );
      await sleep(retryInMs);
    }
  }
}

/**
 * The service's topics on a Kafka bus, created if missing before it consumes or publishes
 * (KAFKA_PROVISION_TOPICS=false when the platform manages topics, e.g. Strimzi KafkaTopic resources).
 */
async function provisionTopics(name: string, bus: MessageBus, env: NodeJS.ProcessEnv): Promise<void> {
  if (!(bus instanceof KafkaBus) || !isServiceName(name) || env['KAFKA_PROVISION_TOPICS'] === 'false') return;
  const partitions = numberFromEnv(env, 'KAFKA_TOPIC_PARTITIONS');
  const replicationFactor = numberFromEnv(env, 'KAFKA_REPLICATION_FACTOR');
  await bus.ensureTopics(topicSpecsOf(name, partitions !== undefined ? { partitions } : {}), {
    ...(replicationFactor !== undefined && { replicationFactor }),
  });
}

/**
 * Starts one service: database, topics, messaging, HTTP API and event handlers. A start that fails
 * tears down what it started (consumer, outbox relay, timers, database, and the bus it owns) before
 * it rejects, so nothing keeps running in the background of a process about to exit.
 */
export async function startService(
  definition: ServiceDefinition,
  options: StartServiceOptions,
): Promise<RunningService> {
  const logger = options.logger ?? createLogger(definition.name);
  const env = options.env ?? process.env;
  // Before anything is opened: an empty or short token refuses to start.
  const { authenticator, credentials } = serviceIdentity(definition.name, options.apiToken, options.identity);
  let database: Database | undefined;
  let app: INestApplication | undefined;
  let transport: EasgateTransport | undefined;
  let inboxPurge: PeriodicTask | undefined;
  try {
    database = await openDatabase(
      {
        service: definition.name,
        ...(options.databaseUrl !== undefined && { url: options.databaseUrl }),
        dataDir: options.dataDir,
        entities: [...messagingEntities, ...definition.entities],
        migrations: [...messagingMigrations, ...definition.migrations],
      },
      options.databaseConnectTimeoutMs ?? numberFromEnv(env, 'DATABASE_CONNECT_TIMEOUT_MS') ?? 30_000,
      logger,
    );
    await provisionTopics(definition.name, options.bus, env);
    const context: ServiceContext = {
      database,
      bus: options.bus,
      env,
      dataDir: options.dataDir,
      peers: options.peers ?? {},
      credentials,
      logger,
    };
    const serviceModule: DynamicModule = definition.module(context);
    // Each service lists and replays the dead letters of the topics it consumes (none: no routes).
    const deadLetterTopics = deadLetterTopicsOf(definition.name);
    const deadLetters = deadLetterTopics.length > 0 ? [DeadLettersController] : [];

    @Module({
      imports: [
        MessagingModule.forService({ service: definition.name, bus: options.bus, database }),
        serviceModule,
      ],
      controllers: [HealthController, ...deadLetters],
      providers: [
        { provide: SERVICE_NAME, useValue: definition.name },
        {
          provide: DEAD_LETTERS,
          useValue: {
            topics: deadLetterTopics,
            consumerGroup: options.consumerGroup ?? `easgate-${definition.name}`,
            inspector: deadLetterInspectorFor(options.bus, env),
          },
        },
        {
          provide: APP_GUARD,
          useFactory: (reflector: Reflector, moduleRef: ModuleRef) =>
            new AuthorizationGuard(reflector, moduleRef, authenticator),
          inject: [Reflector, ModuleRef],
        },
      ],
    })
    class ServiceRootModule {}

    app = await NestFactory.create(ServiceRootModule, {
      logger: ['error', 'warn'],
      abortOnError: false,
      bodyParser: false,
      ...(options.tls && {
        httpsOptions: { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) },
      }),
    });
    // An explicit limit on every route; a larger body is answered 413 PAYLOAD_TOO_LARGE by the filter.
    (app as NestExpressApplication).useBodyParser('json', { limit: definition.bodyLimit ?? '1mb' });
    app.useGlobalFilters(new EasgateExceptionFilter(logger, definition.httpStatusOf));
    // No enableShutdownHooks(): whoever started the service (easgate start, runServiceStandalone) owns the
    // signals and calls close(), which runs the shutdown hooks. Nest's own handler re-raises SIGINT after
    // closing, which killed `easgate start` before it could close the other services and exit 0.
    const document = documentRuntimeErrors(
      SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle(definition.openApi?.title ?? `easgate ${definition.name}`)
          .setDescription(definition.openApi?.description ?? '')
          .addBearerAuth()
          .build(),
      ),
      successStatuses(app),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
    transport = new EasgateTransport({
      bus: options.bus,
      groupId: options.consumerGroup ?? `easgate-${definition.name}`,
      fromBeginning: options.fromBeginning ?? true,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
      logger,
      observe: deliveryMetrics(definition.name),
      ...(options.retry !== undefined && { retry: options.retry }),
    });
    app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    const host = options.host ?? '127.0.0.1';
    await app.listen(options.port ?? definition.defaultPort, host);
    const inbox = app.get(Inbox);
    const retentionMs =
      options.inboxRetentionMs ?? (numberFromEnv(env, 'INBOX_RETENTION_DAYS') ?? 7) * DAY_MS;
    inboxPurge = new PeriodicTask(
      'inbox purge',
      options.inboxPurgeIntervalMs ?? INBOX_PURGE_INTERVAL_MS,
      () => inbox.purge(new Date(Date.now() - retentionMs)),
      logger,
    );
    inboxPurge.start();
    const address = (app.getHttpServer() as import('node:http').Server).address() as { port: number };
    const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    logger.info({ url }, `${definition.name} started`);
    const started = { app, database, transport, inboxPurge };
    return {
      name: definition.name,
      url,
      app,
      database,
      // Stop consuming (in-flight handlers finish, waiting ones give up to be redelivered), then the
      // application (outbox relay's last pass, timers), then the producer when owned, then the database.
      close: async () => {
        await started.transport.close();
        logger.debug('stopped consuming');
        await started.inboxPurge.stop();
        await started.app.close();
        logger.debug('application closed');
        if (options.ownsBus) await options.bus.close();
        await started.database.close();
        logger.info(`${definition.name} closed`);
      },
    };
  } catch (err) {
    await teardown(logger, [
      () => transport?.close(),
      () => inboxPurge?.stop(),
      () => app?.close(),
      () => (options.ownsBus ? options.bus.close() : undefined),
      () => database?.close(),
    ]);
    throw err;
  }
}

/** Runs every step even when one fails: a failed start must not leave half of itself running. */
async function teardown(logger: Logger, steps: (() => Promise<unknown> | undefined)[]): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'teardown step failed');
    }
  }
}

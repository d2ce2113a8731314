import { readFileSync } from 'node:fs';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { APP_GUARD, ModuleRef, NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  createLogger,
  EasgateTransport,
  type Logger,
  type MessageBus,
  MessagingModule,
  messagingEntities,
  messagingMigrations,
  type RetryPolicy,
} from '@easgate/messaging';
import { Database } from '@easgate/persistence';
import { assertTokenStrength } from '@easgate/identity';
import { AuthorizationGuard } from './identity/authorization.guard';
import { type IdentityOptions, serviceIdentity } from './identity/service-identity';
import { EasgateExceptionFilter } from './exception.filter';
import { HealthController, SERVICE_NAME } from './health.controller';
import { deliveryMetrics } from './metrics';
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
}

export interface RunningService {
  readonly name: string;
  readonly url: string;
  readonly app: INestApplication;
  readonly database: Database;
  close(): Promise<void>;
}

/** HTTPS from EASGATE_TLS_CERT_FILE and EASGATE_TLS_KEY_FILE (both or neither). */
export function tlsFromEnv(env: NodeJS.ProcessEnv = process.env): StartServiceOptions['tls'] {
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

/** Starts one service: database, messaging, HTTP API and event handlers. */
export async function startService(
  definition: ServiceDefinition,
  options: StartServiceOptions,
): Promise<RunningService> {
  const logger = options.logger ?? createLogger(definition.name);
  // Before anything is opened: an empty or short token refuses to start.
  const { authenticator, credentials } = serviceIdentity(definition.name, options.apiToken, options.identity);
  const database = await Database.open({
    service: definition.name,
    ...(options.databaseUrl !== undefined && { url: options.databaseUrl }),
    dataDir: options.dataDir,
    entities: [...messagingEntities, ...definition.entities],
    migrations: [...messagingMigrations, ...definition.migrations],
  });
  try {
    const context: ServiceContext = {
      database,
      bus: options.bus,
      env: options.env ?? process.env,
      dataDir: options.dataDir,
      peers: options.peers ?? {},
      credentials,
      logger,
    };
    const serviceModule: DynamicModule = definition.module(context);

    @Module({
      imports: [
        MessagingModule.forService({ service: definition.name, bus: options.bus, database }),
        serviceModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_NAME, useValue: definition.name },
        {
          provide: APP_GUARD,
          useFactory: (reflector: Reflector, moduleRef: ModuleRef) =>
            new AuthorizationGuard(reflector, moduleRef, authenticator),
          inject: [Reflector, ModuleRef],
        },
      ],
    })
    class ServiceRootModule {}

    const app = await NestFactory.create(ServiceRootModule, {
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
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle(definition.openApi?.title ?? `easgate ${definition.name}`)
        .setDescription(definition.openApi?.description ?? '')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
    app.connectMicroservice(
      {
        strategy: new EasgateTransport({
          bus: options.bus,
          groupId: options.consumerGroup ?? `easgate-${definition.name}`,
          fromBeginning: options.fromBeginning ?? true,
          partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
          logger,
          observe: deliveryMetrics(definition.name),
          ...(options.retry !== undefined && { retry: options.retry }),
        }),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    const host = options.host ?? '127.0.0.1';
    await app.listen(options.port ?? definition.defaultPort, host);
    const address = (app.getHttpServer() as import('node:http').Server).address() as { port: number };
    const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    logger.info({ url }, `${definition.name} started`);
    return {
      name: definition.name,
      url,
      app,
      database,
      close: async () => {
        await app.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}

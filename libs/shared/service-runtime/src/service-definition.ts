import type { DynamicModule } from '@nestjs/common';
import type { Database } from '@easgate/persistence';
import type { Logger, MessageBus } from '@easgate/messaging';
import type { ServiceCredentials } from './identity/service-identity';

/** What the runtime hands a service when it starts it. */
export interface ServiceContext {
  /** The service's own database (PostgreSQL schema or SQLite file), migrated. */
  readonly database: Database;
  /** The bus (Kafka or in-process) shared by every service of the process. */
  readonly bus: MessageBus;
  /** The environment the service parses its configuration from (with its own zod schema). */
  readonly env: NodeJS.ProcessEnv;
  /** Where the service may keep files (keys, snapshots) in the embedded mode. */
  readonly dataDir: string;
  /** Base URLs of the other services' HTTP APIs, by service name (for internal calls). */
  readonly peers: Readonly<Record<string, string>>;
  /** The service's own credentials for calling its peers (`authorizationFor('cert-vault')`). */
  readonly credentials: ServiceCredentials;
  readonly logger: Logger;
}

/**
 * A service as both its own app (apps/<service>/src/main.ts) and `easgate start` load it.
 * The runtime adds: the database with the messaging tables, the Kafka/in-process transport for
 * the module's `@EventPattern` handlers (consumer group `easgate-<name>`), the outbox relay,
 * health and metrics endpoints, API authentication, error mapping and OpenAPI.
 */
export interface ServiceDefinition {
  /** kebab-case; also the database schema/file and the consumer group suffix. */
  readonly name: string;
  /** HTTP port when run alone or embedded (overridable with PORT / <NAME>_PORT). */
  readonly defaultPort: number;
  /** TypeORM entities and migrations of the service (the messaging ones are added). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: Function[];
  /** The service's root module. It may import MessagingModule's providers (Inbox, Outbox, …): they are global. */
  module(context: ServiceContext): DynamicModule;
  /** Maps the service's error codes to HTTP statuses (unlisted codes: 400 unless retriable → 503). */
  readonly httpStatusOf?: (code: string) => number | undefined;
  readonly openApi?: { title: string; description: string };
  /** Largest JSON request body (body-parser syntax, default '1mb'); larger → 413 PAYLOAD_TOO_LARGE. */
  readonly bodyLimit?: string;
}

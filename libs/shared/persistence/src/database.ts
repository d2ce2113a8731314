import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataSource,
  type DataSourceOptions,
  type EntityManager,
  type EntitySchema,
  type MixedList,
} from 'typeorm';

/** A transaction handle. Only repositories (infra/) look inside it. */
export type Tx = EntityManager;

export type DatabaseKind = 'postgres' | 'sqlite';

export interface DatabaseOptions {
  /** The owning service: its PostgreSQL schema, or its SQLite file name. */
  service: string;
  /** `postgres://…` for PostgreSQL. Absent: SQLite under `dataDir` (the embedded default). */
  url?: string;
  /** Where the SQLite file lives; `:memory:` for an in-memory database. */
  dataDir?: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  logging?: boolean;
}

/** PostgreSQL schema names: lower-case identifiers. */
export function schemaNameOf(service: string): string {
  return service.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  const common = {
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: options.logging ?? false,
  } as const;
  if (options.url) {
    const url = new URL(options.url);
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new Error(`unsupported database URL scheme "${url.protocol}": use postgres://`);
    }
    const schema = schemaNameOf(options.service);
    return {
      ...common,
      type: 'postgres',
      url: options.url,
      schema,
      // Raw SQL and TypeORM's own queries both land in the service's schema.
      extra: { options: `-c search_path=${schema}`, max: 10 },
      applicationName: `easgate-${options.service}`,
    };
  }
  const dataDir = options.dataDir ?? join(process.cwd(), '.easgate');
  let database = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    database = join(dataDir, `${options.service}.sqlite`);
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
    },
  };
}

/**
 * A service's database: PostgreSQL in production, SQLite as the embedded default.
 * Migrations run on open; `synchronize` is always off.
 */
export class Database {
  private sqliteQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataSource: DataSource,
    readonly kind: DatabaseKind,
  ) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    const dsOptions = dataSourceOptions(options);
    const kind: DatabaseKind = dsOptions.type === 'postgres' ? 'postgres' : 'sqlite';
    if (kind === 'postgres') await ensureSchema(options.url!, schemaNameOf(options.service));
    const dataSource = new DataSource(dsOptions);
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } catch (err) {
      await dataSource.destroy();
      throw err;
    }
    return new Database(dataSource, kind);
  }

  /**
   * Runs `work` in one transaction. SQLite has one connection, so its transactions are queued
   * rather than nested; PostgreSQL runs them concurrently.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') return this.dataSource.transaction(work);
    const run = this.sqliteQueue.then(() => this.dataSource.transaction(work));
    this.sqliteQueue = run.catch(() => undefined);
    return run;
  }

  /** Reads outside a transaction (queued behind writes on SQLite). */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') return work(this.dataSource.manager);
    const run = this.sqliteQueue.then(() => work(this.dataSource.manager));
    this.sqliteQueue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  const bootstrap = new DataSource({ type: 'postgres', url });
  await bootstrap.initialize();
  try {
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (err) {
    // Two services opening at once may race on CREATE SCHEMA; the loser sees a duplicate.
    if (!String(err).includes('already exists')) throw err;
  } finally {
    await bootstrap.destroy();
  }
}

/** Is this error a unique-key violation, on either database? */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

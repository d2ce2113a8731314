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
  /** SQLite only: page cache, checkpoints and durability (defaults: SQLITE_TUNING). */
  sqlite?: SqliteTuning;
}

export interface SqliteTuning {
  /** Page cache of the connection, in MiB. */
  cacheMb?: number;
  /** WAL pages written before SQLite copies them back into the database file (a checkpoint). */
  walAutocheckpointPages?: number;
  /**
   * `full`: each commit syncs the WAL before it returns — a committed transaction survives a power
   * cut. `normal`: the WAL is synced at checkpoints only — as safe against a crash of the process,
   * but a power cut or OS crash may lose the last transactions committed since the last checkpoint
   * (never corrupts the file); their messages may then have been acknowledged to the bus already.
   */
  synchronous?: 'full' | 'normal';
}

/**
 * The embedded default. A 64 MiB cache holds a few hundred thousand devices' hot pages (SQLite's
 * default is 16 MiB); a checkpoint every 16,384 pages (64 MiB of WAL, instead of 4 MiB) copies a
 * page rewritten by many transactions back once, not once per 4 MiB; the WAL file is truncated back
 * to that size after a checkpoint. `synchronous = FULL`: durable commits (group commit makes them cheap).
 */
export const SQLITE_TUNING: Required<SqliteTuning> = {
  cacheMb: 64,
  walAutocheckpointPages: 16_384,
  synchronous: 'full',
};

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
      const tuning = { ...SQLITE_TUNING, ...options.sqlite };
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.pragma(`synchronous = ${tuning.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      db.pragma(`cache_size = ${-Math.round(tuning.cacheMb * 1024)}`);
      db.pragma(`wal_autocheckpoint = ${Math.round(tuning.walAutocheckpointPages)}`);
      db.pragma(`journal_size_limit = ${Math.round(tuning.walAutocheckpointPages) * 4096}`);
    },
  };
}

/** A unit of work waiting for SQLite's one connection. */
interface Queued {
  kind: 'transaction' | 'read';
  work: (manager: EntityManager) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit on SQLite: transactions queued while one group runs join it (up to this many, and
 * while the group is younger than GROUP_MAX_MS), each in its own savepoint, and commit together.
 */
const GROUP_MAX_TRANSACTIONS = 32;
const GROUP_MAX_MS = 100;

/**
 * A service's database: PostgreSQL in production, SQLite as the embedded default.
 * Migrations run on open; `synchronize` is always off.
 */
export class Database {
  private readonly sqliteQueue: Queued[] = [];
  private draining = false;

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
   * Runs `work` in one transaction: all of it is kept, or none. PostgreSQL runs transactions
   * concurrently. SQLite has one connection, so its transactions are queued rather than nested, and
   * committed in groups: those that queued up while the previous group ran run one after the other
   * inside ONE SQLite transaction, each in its own savepoint (a failing one is rolled back alone and
   * rejects alone), and the group commits once — one WAL write of the pages they share and one sync
   * instead of one per transaction. Each promise resolves only once its group has committed; if
   * the commit fails, every transaction of the group rejects (none was kept).
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') return this.dataSource.transaction(work);
    return this.enqueue('transaction', work);
  }

  /** Reads outside a transaction (queued behind writes on SQLite, never inside a group). */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') return work(this.dataSource.manager);
    return this.enqueue('read', work);
  }

  private enqueue<T>(kind: Queued['kind'], work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.sqliteQueue.push({ kind, work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // On the next turn of the event loop, never inside the caller's call: what the other
        // callbacks of this turn queue (other partitions' batches) joins the same group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.sqliteQueue.length > 0) {
        if (this.sqliteQueue[0].kind === 'transaction') {
          await this.commitGroup();
          continue;
        }
        const read = this.sqliteQueue.shift()!;
        try {
          read.resolve(await read.work(this.dataSource.manager));
        } catch (err) {
          read.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Runs the queued transactions (those queued meanwhile join) in one SQLite transaction, one savepoint each. */
  private async commitGroup(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    const done: { item: Queued; value: unknown }[] = [];
    const started = Date.now();
    let broken: { error: unknown } | undefined;
    try {
      await runner.startTransaction();
    } catch (error) {
      this.sqliteQueue.shift()!.reject(error);
      return;
    }
    while (
      this.sqliteQueue[0]?.kind === 'transaction' &&
      done.length < GROUP_MAX_TRANSACTIONS &&
      (done.length === 0 || Date.now() - started < GROUP_MAX_MS)
    ) {
      const item = this.sqliteQueue.shift()!;
      try {
        await runner.startTransaction(); // a savepoint
      } catch (error) {
        item.reject(error);
        broken = { error };
        break;
      }
      try {
        const value = await item.work(runner.manager);
        await runner.commitTransaction(); // releases the savepoint
        done.push({ item, value });
      } catch (error) {
        try {
          await runner.rollbackTransaction(); // to the savepoint: this transaction's work is gone
        } catch {
          // Checked below: SQLite may have rolled back the whole group (disk full, I/O error).
        }
        item.reject(error);
        if (!this.sqliteInTransaction()) {
          broken = { error };
          break;
        }
      }
    }
    if (!broken) {
      try {
        await runner.commitTransaction();
      } catch (error) {
        broken = { error };
      }
    }
    if (broken) {
      await this.abandonGroup(runner);
      for (const { item } of done) item.reject(broken.error);
      return;
    }
    for (const { item, value } of done) item.resolve(value);
  }

  /** After a failed group: nothing of it is kept, and the connection is out of any transaction. */
  private async abandonGroup(runner: ReturnType<DataSource['createQueryRunner']>): Promise<void> {
    if (this.sqliteInTransaction()) await runner.query('ROLLBACK').catch(() => undefined);
    // TypeORM's own bookkeeping of the runner (depth, active) back to "no transaction".
    Object.assign(runner, { isTransactionActive: false, transactionDepth: 0 });
  }

  private sqliteInTransaction(): boolean {
    const driver = this.dataSource.driver as unknown as { databaseConnection?: { inTransaction?: boolean } };
    return driver.databaseConnection?.inTransaction === true;
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

import type { Database } from '@easgate/persistence';
import type { EntityManager } from 'typeorm';

/**
 * One statement that commits on its own: PostgreSQL runs it outside a transaction (autocommit, one
 * round trip instead of three with BEGIN and COMMIT); SQLite queues it as a transaction of its own
 * (one connection, group commit).
 */
export function writeOne<T>(db: Database, statement: (manager: EntityManager) => Promise<T>): Promise<T> {
  return db.kind === 'postgres' ? statement(db.dataSource.manager) : db.transaction(statement);
}

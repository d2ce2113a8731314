import type { Database, Tx } from '@easgate/persistence';
import type {
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

/**
 * Callbacks run when a transaction has ended, committed or rolled back (TypeORM announces both to
 * the data source's subscribers): the outermost transaction only, not a savepoint (SQLite's group
 * commit runs each transaction in a savepoint of one group, which commits last).
 */
class TransactionEndSubscriber implements EntitySubscriberInterface {
  private readonly pending = new WeakMap<QueryRunner, (() => void)[]>();

  /** Runs `callback` once `tx`'s transaction has ended; at once if `tx` is not in a transaction. */
  afterTransaction(tx: Tx, callback: () => void): void {
    const runner = tx.queryRunner;
    if (!runner?.isTransactionActive) return callback();
    const callbacks = this.pending.get(runner);
    if (callbacks) callbacks.push(callback);
    else this.pending.set(runner, [callback]);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    this.ended(event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.ended(event.queryRunner);
  }

  private ended(runner: QueryRunner): void {
    if (runner.isTransactionActive) return; // a savepoint inside a transaction still open
    const callbacks = this.pending.get(runner);
    if (!callbacks) return;
    this.pending.delete(runner);
    for (const callback of callbacks) callback();
  }
}

/** `afterTransaction(tx, callback)` for the transactions of `database`. */
export function transactionEndHook(database: Database): (tx: Tx, callback: () => void) => void {
  const subscriber = new TransactionEndSubscriber();
  database.dataSource.subscribers.push(subscriber);
  return (tx, callback) => subscriber.afterTransaction(tx, callback);
}

import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

const PENDING = "status = 'pending'";

/**
 * The pending-command scans (a mailbox's pending commands in order, the mailboxes with pending
 * commands, whether any is left, the backlog per tenant) on partial indexes of the pending rows
 * only: the command log keeps every command as its audit, so indexes over all of it grow with
 * history and are rewritten on every completion, while these stay as small as the queue. The queries
 * say `status = 'pending'` literally, so that both planners (PostgreSQL and SQLite) match the
 * index predicate. Table API: runs on PostgreSQL and SQLite.
 */
export class ExecutorPendingIndexes1764300000003 implements MigrationInterface {
  name = 'ExecutorPendingIndexes1764300000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'exchange_command_log',
      new TableIndex({
        name: 'exchange_command_log_pending_by_mailbox',
        columnNames: ['mailbox_key', 'seq'],
        where: PENDING,
      }),
    );
    await queryRunner.createIndex(
      'exchange_command_log',
      new TableIndex({
        name: 'exchange_command_log_pending_by_tenant',
        columnNames: ['tenant', 'received_at'],
        where: PENDING,
      }),
    );
    await queryRunner.dropIndex('exchange_command_log', 'exchange_command_log_pending');
    await queryRunner.dropIndex('exchange_command_log', 'exchange_command_log_backlog');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'exchange_command_log',
      new TableIndex({ name: 'exchange_command_log_pending', columnNames: ['status', 'mailbox_key', 'seq'] }),
    );
    await queryRunner.createIndex(
      'exchange_command_log',
      new TableIndex({
        name: 'exchange_command_log_backlog',
        columnNames: ['status', 'tenant', 'received_at'],
      }),
    );
    await queryRunner.dropIndex('exchange_command_log', 'exchange_command_log_pending_by_tenant');
    await queryRunner.dropIndex('exchange_command_log', 'exchange_command_log_pending_by_mailbox');
  }
}

import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Mailbox leases (which instance works which mailbox), the wipe intent on the command log, and an
 * index for the backlog scan (Table API: runs on PostgreSQL and SQLite).
 */
export class ExecutorLeases1764300000002 implements MigrationInterface {
  name = 'ExecutorLeases1764300000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'exchange_mailbox_lease',
        columns: [
          { name: 'mailbox_key', type: 'varchar', length: '600', isPrimary: true },
          { name: 'owner', type: 'varchar', length: '200' },
          { name: 'expires_at', type: 'varchar', length: '40' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'exchange_mailbox_lease',
      new TableIndex({ name: 'exchange_mailbox_lease_expiry', columnNames: ['expires_at'] }),
    );
    await queryRunner.addColumns('exchange_command_log', [
      new TableColumn({ name: 'intent', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'intent_at', type: 'varchar', length: '40', isNullable: true }),
    ]);
    await queryRunner.createIndex(
      'exchange_command_log',
      new TableIndex({
        name: 'exchange_command_log_backlog',
        columnNames: ['status', 'tenant', 'received_at'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('exchange_command_log', 'exchange_command_log_backlog');
    await queryRunner.dropColumns('exchange_command_log', ['intent', 'intent_at']);
    await queryRunner.dropTable('exchange_mailbox_lease');
  }
}

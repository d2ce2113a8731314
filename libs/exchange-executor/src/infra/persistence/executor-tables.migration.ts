import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The command log and the inventory snapshot (Table API: runs on PostgreSQL and SQLite). */
export class ExecutorTables1764300000000 implements MigrationInterface {
  name = 'ExecutorTables1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'exchange_command_log',
        columns: [
          {
            name: 'seq',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'command_id', type: 'varchar', length: '36', isUnique: true },
          { name: 'tenant', type: 'varchar', length: '255' },
          { name: 'mailbox_key', type: 'varchar', length: '600' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'command', type: 'text' },
          { name: 'origin', type: 'text' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'next_attempt_at', type: 'varchar', length: '40', isNullable: true },
          { name: 'result', type: 'text', isNullable: true },
          { name: 'received_at', type: 'varchar', length: '40' },
          { name: 'completed_at', type: 'varchar', length: '40', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'exchange_command_log',
      new TableIndex({ name: 'exchange_command_log_pending', columnNames: ['status', 'mailbox_key', 'seq'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'exchange_mailbox_snapshot',
        columns: [
          { name: 'tenant', type: 'varchar', length: '255', isPrimary: true },
          { name: 'mailbox', type: 'varchar', length: '320', isPrimary: true },
          { name: 'active_sync_enabled', type: 'boolean' },
          { name: 'allowed_device_ids', type: 'text' },
          { name: 'blocked_device_ids', type: 'text' },
          { name: 'mailbox_policy', type: 'varchar', length: '255', isNullable: true },
          { name: 'devices', type: 'text' },
          { name: 'scan_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'observed_at', type: 'varchar', length: '40' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('exchange_mailbox_snapshot');
    await queryRunner.dropTable('exchange_command_log');
  }
}

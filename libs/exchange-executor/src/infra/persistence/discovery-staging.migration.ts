import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The devices a running discovery scan has read (Table API: runs on PostgreSQL and SQLite). */
export class ExecutorDiscoveryStaging1764300000010 implements MigrationInterface {
  name = 'ExecutorDiscoveryStaging1764300000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'exchange_discovery_device',
        columns: [
          { name: 'scan_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'owner', type: 'varchar', length: '320' },
          { name: 'state', type: 'text' },
          { name: 'created_at', type: 'varchar', length: '40' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'exchange_discovery_device',
      new TableIndex({ name: 'exchange_discovery_device_owner', columnNames: ['scan_id', 'owner'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('exchange_discovery_device');
  }
}

import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

export class ExecutorConfigSnapshot1764300000001 implements MigrationInterface {
  name = 'ExecutorConfigSnapshot1764300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'exchange_config_snapshot',
        columns: [
          { name: 'tenant', type: 'varchar', length: '255', isPrimary: true },
          { name: 'section', type: 'varchar', length: '40', isPrimary: true },
          { name: 'identity', type: 'varchar', length: '400', isPrimary: true },
          { name: 'settings', type: 'text' },
          { name: 'observed_at', type: 'varchar', length: '40' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('exchange_config_snapshot');
  }
}

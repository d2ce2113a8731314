import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

export class AlertingTables1764200000000 implements MigrationInterface {
  name = 'AlertingTables1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = (name: string, nullable = false) => ({
      name,
      type: 'varchar',
      length: '40',
      isNullable: nullable,
    });
    await queryRunner.createTable(
      new Table({
        name: 'alert',
        columns: [
          { name: 'fingerprint', type: 'varchar', length: '64', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '200' },
          { name: 'kind', type: 'varchar', length: '64' },
          { name: 'labels', type: 'text' },
          { name: 'severity', type: 'varchar', length: '16' },
          { name: 'summary', type: 'varchar', length: '500' },
          { name: 'description', type: 'text' },
          { name: 'runbook', type: 'varchar', length: '1000' },
          { name: 'status', type: 'varchar', length: '16' },
          ts('starts_at'),
          ts('ends_at', true),
          ts('last_seen_at'),
          ts('clearing_since', true),
          { name: 'occurrences', type: 'integer' },
          { name: 'revision', type: 'integer' },
          { name: 'flaps', type: 'integer' },
          ts('acknowledged_at', true),
          { name: 'acknowledged_by', type: 'varchar', length: '200', isNullable: true },
          ts('silenced_until', true),
        ],
      }),
    );
    await queryRunner.createIndex(
      'alert',
      new TableIndex({ name: 'alert_tenant_status', columnNames: ['tenant', 'status', 'kind'] }),
    );
    await queryRunner.createIndex(
      'alert',
      new TableIndex({ name: 'alert_clearing', columnNames: ['clearing_since'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'alert_subscription',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '200' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'kinds', type: 'text' },
          { name: 'min_severity', type: 'varchar', length: '16' },
          { name: 'destination_type', type: 'varchar', length: '32' },
          { name: 'destination', type: 'text' },
          { name: 'enabled', type: 'boolean' },
          ts('created_at'),
          { name: 'consecutive_failures', type: 'integer' },
          { name: 'last_error', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'alert_subscription',
      new TableIndex({ name: 'alert_subscription_tenant', columnNames: ['tenant'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'alert_delivery',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'subscription_id', type: 'varchar', length: '64' },
          { name: 'tenant', type: 'varchar', length: '200' },
          { name: 'fingerprint', type: 'varchar', length: '64' },
          { name: 'revision', type: 'integer' },
          { name: 'alert_status', type: 'varchar', length: '16' },
          { name: 'payload', type: 'text' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer' },
          ts('next_attempt_at'),
          { name: 'last_error', type: 'text', isNullable: true },
          ts('created_at'),
          ts('delivered_at', true),
        ],
      }),
    );
    await queryRunner.createIndex(
      'alert_delivery',
      new TableIndex({
        name: 'alert_delivery_once',
        columnNames: ['subscription_id', 'fingerprint', 'revision'],
        isUnique: true,
      }),
    );
    await queryRunner.createIndex(
      'alert_delivery',
      new TableIndex({ name: 'alert_delivery_due', columnNames: ['state', 'next_attempt_at'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'alert_watch',
        columns: [
          { name: 'tenant', type: 'varchar', length: '200', isPrimary: true },
          { name: 'name', type: 'varchar', length: '400', isPrimary: true },
          ts('since'),
          { name: 'data', type: 'text' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('alert_watch');
    await queryRunner.dropTable('alert_delivery');
    await queryRunner.dropTable('alert_subscription');
    await queryRunner.dropTable('alert');
  }
}

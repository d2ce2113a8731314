import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

const s = (name: string, length: number, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'varchar',
  length: String(length),
  ...extra,
});

/** The translator's tables, with the TypeORM Table API so they run on PostgreSQL and SQLite. */
export class TranslatorTables1764200000000 implements MigrationInterface {
  name = 'TranslatorTables1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'translator_rules',
        columns: [
          s('tenant', 200, { isPrimary: true }),
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'rules', type: 'text' },
          s('created_at', 40),
          s('created_by', 200),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'device_desired_state',
        columns: [
          s('tenant', 200, { isPrimary: true }),
          s('mdm_device_id', 200, { isPrimary: true }),
          s('mailbox', 320),
          { name: 'state_json', type: 'text' },
          s('updated_at', 40),
        ],
        indices: [
          new TableIndex({ name: 'device_desired_state_mailbox', columnNames: ['tenant', 'mailbox'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'exchange_view',
        columns: [
          s('tenant', 200, { isPrimary: true }),
          s('mailbox', 320, { isPrimary: true }),
          { name: 'view_json', type: 'text' },
          s('updated_at', 40),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'compliance_event',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          s('tenant', 200),
          s('mdm_device_id', 200),
          s('event_source', 1000),
          s('event_id', 500),
          s('state', 40),
          s('sequence', 20, { isNullable: true }),
          s('observed_at', 40),
          s('outcome', 20),
          s('received_at', 40),
        ],
        indices: [
          new TableIndex({ name: 'compliance_event_device', columnNames: ['tenant', 'mdm_device_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'translator_command',
        columns: [
          s('command_id', 36, { isPrimary: true }),
          s('tenant', 200),
          s('mailbox', 320),
          s('mdm_device_id', 200, { isNullable: true }),
          s('device_id', 64, { isNullable: true }),
          { name: 'action', type: 'text' },
          { name: 'reason', type: 'text' },
          s('cause_event_id', 500, { isNullable: true }),
          s('created_at', 40),
          s('outcome', 20, { isNullable: true }),
          s('completed_at', 40, { isNullable: true }),
          { name: 'error', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'translator_command_device', columnNames: ['tenant', 'mdm_device_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'translator_command',
      'compliance_event',
      'exchange_view',
      'device_desired_state',
      'translator_rules',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}

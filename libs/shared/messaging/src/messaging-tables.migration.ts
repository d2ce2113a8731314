import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The inbox and outbox tables; every service that consumes or publishes includes this migration. */
export class MessagingTables1764100000000 implements MigrationInterface {
  name = 'MessagingTables1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'processed_message',
        columns: [
          { name: 'consumer', type: 'varchar', length: '200', isPrimary: true },
          { name: 'message_key', type: 'varchar', length: '64', isPrimary: true },
          { name: 'event_source', type: 'varchar', length: '1000' },
          { name: 'event_id', type: 'varchar', length: '500' },
          { name: 'processed_at', type: 'varchar', length: '40' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'outbox_event',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'topic', type: 'varchar', length: '249' },
          { name: 'message_key', type: 'varchar', length: '500', isNullable: true },
          { name: 'value', type: 'text', isNullable: true },
          { name: 'headers', type: 'text' },
          { name: 'created_at', type: 'varchar', length: '40' },
          { name: 'published_at', type: 'varchar', length: '40', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'outbox_event',
      new TableIndex({ name: 'outbox_event_unpublished', columnNames: ['published_at', 'id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbox_event');
    await queryRunner.dropTable('processed_message');
  }
}

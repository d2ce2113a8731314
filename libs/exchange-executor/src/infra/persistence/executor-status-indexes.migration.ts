import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The tenant status's "last applied command" on a partial index of the applied rows by tenant and
 * completion time: the newest one is the first entry of a backward index scan, whatever the size of
 * the command log (which keeps every command as its audit). The query says `status = 'applied'`
 * literally so that both planners (PostgreSQL and SQLite) match the predicate. Table API.
 */
export class ExecutorStatusIndexes1764300000020 implements MigrationInterface {
  name = 'ExecutorStatusIndexes1764300000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'exchange_command_log',
      new TableIndex({
        name: 'exchange_command_log_applied_by_tenant',
        columnNames: ['tenant', 'completed_at'],
        where: "status = 'applied'",
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('exchange_command_log', 'exchange_command_log_applied_by_tenant');
  }
}

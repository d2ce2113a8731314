import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** The command log keeps the result's detail and wipe outcome (the device API's wipe status). */
export class TranslatorCommandResult1764200000001 implements MigrationInterface {
  name = 'TranslatorCommandResult1764200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('translator_command', [
      new TableColumn({ name: 'detail', type: 'text', isNullable: true }),
      new TableColumn({ name: 'wipe_json', type: 'text', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('translator_command', ['detail', 'wipe_json']);
  }
}

import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** The keyed audit head: an HMAC of (seq, hash) beside the head (Table API: PostgreSQL and SQLite). */
export class CertVaultAuditHeadMac1764900000000 implements MigrationInterface {
  name = 'CertVaultAuditHeadMac1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'vault_audit_head',
      new TableColumn({ name: 'mac', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('vault_audit_head', 'mac');
  }
}

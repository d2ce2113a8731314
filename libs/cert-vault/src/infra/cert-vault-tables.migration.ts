import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { GENESIS_HASH } from '../domain/audit-chain';

const text = (name: string, isNullable = false) => ({ name, type: 'text', isNullable });
const str = (name: string, length: number, isNullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});
const int = (name: string, isNullable = false) => ({ name, type: 'integer', isNullable });

/** The vault's tables (Table API: runs on PostgreSQL and SQLite). */
export class CertVaultTables1764200000000 implements MigrationInterface {
  name = 'CertVaultTables1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'vault_tenant_connection',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('tenant_id', 64),
          str('app_id', 64),
          str('organization', 255),
          str('cloud', 40),
          str('authority_host', 500, true),
          str('exchange_endpoint', 500, true),
          str('graph_url', 500, true),
          str('application_object_id', 64, true),
          str('signing_algorithm', 10),
          str('created_at', 40),
          str('updated_at', 40),
        ],
        indices: [
          new TableIndex({
            name: 'vault_tenant_connection_app',
            columnNames: ['tenant_id', 'app_id'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'vault_certificate',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('tenant_id', 64),
          str('connection_id', 36),
          str('status', 20),
          str('source', 20),
          text('subject'),
          text('issuer'),
          str('serial_number', 100),
          str('not_before', 40),
          str('not_after', 40),
          str('thumbprint_sha1', 40),
          str('thumbprint_sha256', 64),
          int('key_size', true),
          text('certificate_chain'),
          str('master_key_id', 40),
          text('wrapped_data_key'),
          text('sealed_private_key'),
          text('sealed_password', true),
          str('graph_key_id', 64, true),
          str('created_at', 40),
          str('activated_at', 40, true),
          str('retire_at', 40, true),
          str('retired_at', 40, true),
        ],
        indices: [
          new TableIndex({ name: 'vault_certificate_connection', columnNames: ['connection_id', 'status'] }),
          new TableIndex({
            name: 'vault_certificate_thumbprint',
            columnNames: ['connection_id', 'thumbprint_sha1'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'vault_expiry_notice',
        columns: [
          { ...str('certificate_id', 36), isPrimary: true },
          { ...int('threshold_days'), isPrimary: true },
          str('recorded_at', 40),
          { name: 'published', type: 'boolean' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'vault_audit_log',
        columns: [
          { ...int('seq'), isPrimary: true },
          str('at', 40),
          str('actor', 200),
          str('action', 100),
          str('outcome', 10),
          str('tenant_id', 64, true),
          str('connection_id', 36, true),
          str('certificate_id', 36, true),
          str('thumbprint_sha1', 40, true),
          text('reason', true),
          text('details', true),
          str('prev_hash', 64),
          str('hash', 64),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'vault_audit_head',
        columns: [{ ...int('id'), isPrimary: true }, int('seq'), str('hash', 64)],
      }),
    );
    await queryRunner.query(`INSERT INTO vault_audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}')`);
    await queryRunner.createTable(
      new Table({
        name: 'vault_rotation',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('tenant_id', 64),
          str('connection_id', 36),
          str('from_certificate_id', 36, true),
          str('to_certificate_id', 36),
          str('state', 20),
          { name: 'upload_to_entra', type: 'boolean' },
          str('graph_key_id', 64, true),
          int('overlap_hours'),
          text('reason', true),
          str('started_at', 40),
          str('finished_at', 40, true),
        ],
        indices: [
          new TableIndex({ name: 'vault_rotation_connection', columnNames: ['connection_id', 'state'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'vault_rotation',
      'vault_audit_head',
      'vault_audit_log',
      'vault_expiry_notice',
      'vault_certificate',
      'vault_tenant_connection',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}

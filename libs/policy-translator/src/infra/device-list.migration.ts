import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * The device list's filters as columns (MDM compliance state, desired Exchange access), indexed with the
 * tenant and the device id so a filtered page of 100k devices is an index range, not a scan of JSON.
 * Existing rows are filled from their state JSON.
 */
export class DeviceListColumns1764900000000 implements MigrationInterface {
  name = 'DeviceListColumns1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('device_desired_state', [
      new TableColumn({ name: 'state', type: 'varchar', length: '40', default: "''" }),
      new TableColumn({ name: 'access', type: 'varchar', length: '20', default: "''" }),
    ]);
    const rows = await queryRunner.manager
      .createQueryBuilder()
      .select(['d.tenant AS tenant', 'd.mdm_device_id AS id', 'd.state_json AS json'])
      .from('device_desired_state', 'd')
      .getRawMany<{ tenant: string; id: string; json: string }>();
    for (const row of rows) {
      const parsed = JSON.parse(row.json) as { state?: string; access?: string };
      await queryRunner.manager
        .createQueryBuilder()
        .update('device_desired_state')
        .set({ state: parsed.state ?? '', access: parsed.access ?? '' })
        .where('tenant = :tenant AND mdm_device_id = :id', { tenant: row.tenant, id: row.id })
        .execute();
    }
    await queryRunner.createIndices('device_desired_state', [
      new TableIndex({
        name: 'device_desired_state_state',
        columnNames: ['tenant', 'state', 'mdm_device_id'],
      }),
      new TableIndex({
        name: 'device_desired_state_access',
        columnNames: ['tenant', 'access', 'mdm_device_id'],
      }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('device_desired_state', 'device_desired_state_access');
    await queryRunner.dropIndex('device_desired_state', 'device_desired_state_state');
    await queryRunner.dropColumn('device_desired_state', 'access');
    await queryRunner.dropColumn('device_desired_state', 'state');
  }
}

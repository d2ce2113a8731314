import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last synced ActiveSync configuration of a tenant, one row per object. */
@Entity({ name: 'exchange_config_snapshot' })
export class ConfigSnapshotEntity {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  tenant!: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  section!: string;

  @PrimaryColumn({ type: 'varchar', length: 400 })
  identity!: string;

  /** The object's settings as JSON (volatile fields left out). */
  @Column({ type: 'text' })
  settings!: string;

  @Column({ name: 'observed_at', type: 'varchar', length: 40 })
  observedAt!: string;
}

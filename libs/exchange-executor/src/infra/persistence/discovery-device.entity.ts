import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A device read during a discovery scan, kept until the scan has read the mailboxes and published
 * their inventories: the device pages go to the database, not to memory, so a scan of any size
 * holds one page at a time. Rows of a scan are deleted when it ends (completed or failed).
 */
@Entity({ name: 'exchange_discovery_device' })
@Index('exchange_discovery_device_owner', ['scanId', 'owner'])
export class DiscoveryDeviceEntity {
  @PrimaryColumn({ name: 'scan_id', type: 'varchar', length: 64 })
  scanId!: string;

  /** Order of the device in the scan. */
  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  /** Lower-case mailbox name (the first part of the device identity). */
  @Column({ type: 'varchar', length: 320 })
  owner!: string;

  /** JSON DeviceStateV1. */
  @Column({ type: 'text' })
  state!: string;

  /** ISO-8601 UTC: rows of a scan whose process died are purged by a later scan once old. */
  @Column({ name: 'created_at', type: 'varchar', length: 40 })
  createdAt!: string;
}

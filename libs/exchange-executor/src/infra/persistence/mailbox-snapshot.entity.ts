import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last known ActiveSync state of a mailbox (discovery, then easgate's own changes). */
@Entity({ name: 'exchange_mailbox_snapshot' })
export class MailboxSnapshotEntity {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  tenant!: string;

  /** Lower-case UPN. */
  @PrimaryColumn({ type: 'varchar', length: 320 })
  mailbox!: string;

  @Column({ name: 'active_sync_enabled', type: 'boolean' })
  activeSyncEnabled!: boolean;

  /** JSON string arrays. */
  @Column({ name: 'allowed_device_ids', type: 'text' })
  allowedDeviceIds!: string;

  @Column({ name: 'blocked_device_ids', type: 'text' })
  blockedDeviceIds!: string;

  @Column({ name: 'mailbox_policy', type: 'varchar', length: 255, nullable: true })
  mailboxPolicy!: string | null;

  /** JSON DeviceStateV1[]. */
  @Column({ type: 'text' })
  devices!: string;

  @Column({ name: 'scan_id', type: 'varchar', length: 64, nullable: true })
  scanId!: string | null;

  @Column({ name: 'observed_at', type: 'varchar', length: 40 })
  observedAt!: string;
}

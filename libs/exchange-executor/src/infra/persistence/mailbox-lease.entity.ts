import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Which executor instance works a mailbox's pending commands, until when. Only the holder flushes
 * the mailbox; it renews while alive, and another instance takes the mailbox over once it expires.
 */
@Entity({ name: 'exchange_mailbox_lease' })
@Index('exchange_mailbox_lease_expiry', ['expiresAt'])
export class MailboxLeaseEntity {
  @PrimaryColumn({ name: 'mailbox_key', type: 'varchar', length: 600 })
  mailboxKey!: string;

  /** The instance id of the holder. */
  @Column({ type: 'varchar', length: 200 })
  owner!: string;

  /** ISO-8601 UTC (toISOString, so that strings compare as times). */
  @Column({ name: 'expires_at', type: 'varchar', length: 40 })
  expiresAt!: string;
}

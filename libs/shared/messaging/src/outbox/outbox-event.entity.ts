import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An event waiting to be published: written in the same transaction as the state change. */
@Entity({ name: 'outbox_event' })
@Index('outbox_event_unpublished', ['publishedAt', 'id'])
export class OutboxEventEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 249 })
  topic!: string;

  @Column({ name: 'message_key', type: 'varchar', length: 500, nullable: true })
  messageKey!: string | null;

  /** The record value as UTF-8 text (CloudEvents JSON, structured or binary mode). */
  @Column({ type: 'text', nullable: true })
  value!: string | null;

  /** The record headers as JSON. */
  @Column({ type: 'text' })
  headers!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 40 })
  createdAt!: string;

  @Column({ name: 'published_at', type: 'varchar', length: 40, nullable: true })
  publishedAt!: string | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per (consumer, message) handled: written in the same transaction as the state change. */
@Entity({ name: 'processed_message' })
export class ProcessedMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  consumer!: string;

  /** sha256 of the CloudEvent's source and id (unique together per the spec). */
  @PrimaryColumn({ name: 'message_key', type: 'varchar', length: 64 })
  messageKey!: string;

  @Column({ name: 'event_source', type: 'varchar', length: 1000 })
  eventSource!: string;

  @Column({ name: 'event_id', type: 'varchar', length: 500 })
  eventId!: string;

  @Column({ name: 'processed_at', type: 'varchar', length: 40 })
  processedAt!: string;
}

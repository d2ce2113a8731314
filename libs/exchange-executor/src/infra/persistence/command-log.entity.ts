import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CommandStatus = 'pending' | 'applied' | 'skipped' | 'failed';

/** A side effect that must not be repeated blindly, recorded (committed) before the call that makes it. */
export type CommandIntent = 'sending';

/** The predicate of the pending-row indexes: queries say it literally so that planners use them. */
export const PENDING_ROWS = "status = 'pending'";

/** Every command received, in arrival order: the executor's durable queue and its audit. */
@Entity({ name: 'exchange_command_log' })
// Partial indexes of the pending rows (see ExecutorPendingIndexes1764300000003).
@Index('exchange_command_log_pending_by_mailbox', ['mailboxKey', 'seq'], { where: PENDING_ROWS })
@Index('exchange_command_log_pending_by_tenant', ['tenant', 'receivedAt'], { where: PENDING_ROWS })
export class CommandLogEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq!: number;

  @Column({ name: 'command_id', type: 'varchar', length: 36, unique: true })
  commandId!: string;

  @Column({ type: 'varchar', length: 255 })
  tenant!: string;

  @Column({ name: 'mailbox_key', type: 'varchar', length: 600 })
  mailboxKey!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CommandStatus;

  /** The command (ExchangeCommandV1) as JSON. */
  @Column({ type: 'text' })
  command!: string;

  /** The CloudEvent it came in (without data), for dead letters: id, source, type, time. */
  @Column({ type: 'text' })
  origin!: string;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'varchar', length: 40, nullable: true })
  nextAttemptAt!: string | null;

  /** The published ExchangeResultV1 as JSON. */
  @Column({ type: 'text', nullable: true })
  result!: string | null;

  /** `sending`: a wipe was about to be sent (committed before Clear-MobileDevice); checked before any re-send. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  intent!: CommandIntent | null;

  @Column({ name: 'intent_at', type: 'varchar', length: 40, nullable: true })
  intentAt!: string | null;

  @Column({ name: 'received_at', type: 'varchar', length: 40 })
  receivedAt!: string;

  @Column({ name: 'completed_at', type: 'varchar', length: 40, nullable: true })
  completedAt!: string | null;
}

import type { ExchangeCommandV1, ExchangeResultV1 } from '@easgate/contracts';
import type { Database, Tx } from '@easgate/persistence';
import { type CommandIntent, CommandLogEntity, type CommandStatus, PENDING_ROWS } from './command-log.entity';

/** Where a command came from (its CloudEvent without data): what a dead letter carries back. */
export interface CommandOrigin {
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  tenant?: string;
}

export interface PendingCommand {
  readonly seq: number;
  readonly command: ExchangeCommandV1;
  readonly origin: CommandOrigin;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  /**
   * Set when a previous pass recorded, before calling Exchange, that it was sending this command: a
   * wipe (checked before it is sent again) or a list change (the snapshot may be behind Exchange).
   */
  readonly intent: CommandIntent | null;
  readonly intentAt: string | null;
}

export interface CompletedCommand {
  readonly seq: number;
  readonly status: Exclude<CommandStatus, 'pending'>;
  readonly result: ExchangeResultV1;
}

/** The command log: the durable queue of commands per mailbox, and what became of each. */
export class CommandLogRepository {
  constructor(private readonly db: Database) {}

  /** Records a command as pending; false when its commandId was seen before and did not fail (applied once). */
  async accept(
    tx: Tx,
    mailboxKey: string,
    command: ExchangeCommandV1,
    origin: CommandOrigin,
  ): Promise<boolean> {
    const repo = tx.getRepository(CommandLogEntity);
    const existing = await repo.findOneBy({ commandId: command.commandId });
    if (existing?.status === 'failed') {
      // A failed command sent again (a replayed dead letter) gets another chance, in arrival order.
      await repo.delete({ seq: existing.seq });
    } else if (existing) return false;
    // A wipe that may have reached Exchange before it failed keeps its intent: the replay checks first.
    const carried = existing?.intent ? { intent: existing.intent, intentAt: existing.intentAt } : undefined;
    await repo.insert({
      commandId: command.commandId,
      tenant: command.tenant.toLowerCase(),
      mailboxKey,
      status: 'pending',
      command: JSON.stringify(command),
      origin: JSON.stringify(origin),
      attempts: 0,
      nextAttemptAt: null,
      result: null,
      intent: carried?.intent ?? null,
      intentAt: carried?.intentAt ?? null,
      receivedAt: new Date().toISOString(),
      completedAt: null,
    });
    return true;
  }

  /** Pending work by tenant: how many commands and when the oldest arrived (the backlog signal). */
  async backlogByTenant(): Promise<{ tenant: string; depth: number; oldestReceivedAt: string }[]> {
    const rows = await this.db.read((m) =>
      m
        .getRepository(CommandLogEntity)
        .createQueryBuilder('c')
        .select('c.tenant', 'tenant')
        .addSelect('COUNT(*)', 'depth')
        .addSelect('MIN(c.received_at)', 'oldest')
        .where(`c.${PENDING_ROWS}`)
        .groupBy('c.tenant')
        .getRawMany<{ tenant: string; depth: string | number; oldest: string }>(),
    );
    return rows.map((r) => ({ tenant: r.tenant, depth: Number(r.depth), oldestReceivedAt: r.oldest }));
  }

  /** A mailbox's pending commands in arrival order. */
  async pendingFor(mailboxKey: string, limit: number): Promise<PendingCommand[]> {
    const rows = await this.db.read((m) =>
      m
        .getRepository(CommandLogEntity)
        .createQueryBuilder('c')
        .where(`c.mailbox_key = :mailboxKey AND c.${PENDING_ROWS}`, { mailboxKey })
        .orderBy('c.seq', 'ASC')
        .limit(limit)
        .getMany(),
    );
    return rows.map((r) => ({
      seq: r.seq,
      command: JSON.parse(r.command) as ExchangeCommandV1,
      origin: JSON.parse(r.origin) as CommandOrigin,
      attempts: r.attempts,
      nextAttemptAt: r.nextAttemptAt,
      intent: r.intent,
      intentAt: r.intentAt,
    }));
  }

  /** Whether a mailbox still has pending commands. */
  async hasPending(mailboxKey: string): Promise<boolean> {
    const found = await this.db.read((m) =>
      m
        .getRepository(CommandLogEntity)
        .createQueryBuilder('c')
        .select('c.seq', 'seq')
        .where(`c.mailbox_key = :mailboxKey AND c.${PENDING_ROWS}`, { mailboxKey })
        .limit(1)
        .getRawMany(),
    );
    return found.length > 0;
  }

  /**
   * Records, in its own committed transaction, that a one-shot effect is about to be sent: after a
   * crash the next pass finds it and checks Exchange before sending again.
   */
  async recordIntent(seq: number, intent: CommandIntent, at = new Date()): Promise<void> {
    await this.recordIntents([seq], intent, at);
  }

  /** `recordIntent` for many pending commands at once (a Set-CASMailbox about to carry them). */
  async recordIntents(seqs: readonly number[], intent: CommandIntent, at = new Date()): Promise<void> {
    if (seqs.length === 0) return;
    await this.db.transaction((tx) =>
      tx
        .getRepository(CommandLogEntity)
        .createQueryBuilder()
        .update()
        .set({ intent, intentAt: at.toISOString() })
        .whereInIds([...seqs])
        .andWhere(PENDING_ROWS)
        .execute(),
    );
  }

  /** Marks a pending command done; false when it was not pending any more (completed elsewhere). */
  async complete(tx: Tx, done: CompletedCommand): Promise<boolean> {
    const updated = await tx.getRepository(CommandLogEntity).update(
      { seq: done.seq, status: 'pending' },
      {
        status: done.status,
        result: JSON.stringify(done.result),
        attempts: done.result.attempts,
        completedAt: done.result.completedAt,
      },
    );
    return (updated.affected ?? 1) > 0;
  }

  /** Sets when the commands are tried next; `attempts` undefined keeps each command's count. */
  async deferRetry(
    seqs: readonly number[],
    attempts: number | undefined,
    nextAttemptAt: Date,
  ): Promise<void> {
    if (seqs.length === 0) return;
    await this.db.transaction((tx) =>
      tx
        .getRepository(CommandLogEntity)
        .createQueryBuilder()
        .update()
        .set({ ...(attempts !== undefined && { attempts }), nextAttemptAt: nextAttemptAt.toISOString() })
        .whereInIds([...seqs])
        .execute(),
    );
  }

  /** The tenant of a command (for authorization), or undefined when there is no such command. */
  async tenantOf(commandId: string): Promise<string | undefined> {
    const row = await this.db.read((m) => m.getRepository(CommandLogEntity).findOneBy({ commandId }));
    return row?.tenant;
  }

  async findByCommandId(
    commandId: string,
  ): Promise<{ status: CommandStatus; result: ExchangeResultV1 | null } | undefined> {
    const row = await this.db.read((m) => m.getRepository(CommandLogEntity).findOneBy({ commandId }));
    return row
      ? { status: row.status, result: row.result ? (JSON.parse(row.result) as ExchangeResultV1) : null }
      : undefined;
  }
}

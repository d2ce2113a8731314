import type { ExchangeCommandV1, ExchangeResultV1 } from '@easgate/contracts';
import { type BulkColumn, bulkInsert, isPostgres, oneOf } from '@easgate/messaging';
import type { Database, Tx } from '@easgate/persistence';
import { type CommandIntent, CommandLogEntity, type CommandStatus, PENDING_ROWS } from './command-log.entity';
import { writeOne } from './write-one';

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

/** A command read from its stream, to be recorded as pending. */
export interface AcceptedCommand {
  readonly mailboxKey: string;
  readonly command: ExchangeCommandV1;
  readonly origin: CommandOrigin;
}

/** What `acceptMany` reads of a commandId already logged. */
interface LoggedRow {
  seq: number | string;
  command_id: string;
  status: CommandStatus;
  intent?: CommandIntent | null;
  intent_at?: string | null;
}

/** The columns `acceptMany` writes (the others keep their defaults: no attempt, no result). */
const ACCEPT_COLUMNS: BulkColumn[] = [
  'command_id',
  'tenant',
  'mailbox_key',
  'status',
  'command',
  'origin',
  'intent',
  'intent_at',
  'received_at',
].map((name) => ({ name, type: 'text' }));

/** The command log: the durable queue of commands per mailbox, and what became of each. */
export class CommandLogRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records commands as pending, in the order given (their arrival order), in the caller's
   * transaction with a few statements whatever their count: one read of the commandIds already
   * logged, one delete of the failed ones seen again, one multi-row insert. Answers, per command,
   * whether it was recorded: false when its commandId was seen before (earlier, or earlier in
   * `commands`) and did not fail, so a command is applied once. A failed command seen again (a
   * replayed dead letter) gets another chance, queued anew in arrival order; a wipe that may have
   * reached Exchange before it failed keeps its intent, so the replay checks Exchange first.
   */
  async acceptMany(tx: Tx, commands: readonly AcceptedCommand[]): Promise<boolean[]> {
    if (commands.length === 0) return [];
    const ids = [...new Set(commands.map((c) => c.command.commandId))];
    const [logged, idList] = oneOf(tx, 'command_id', ids);
    const known = await tx.query<LoggedRow[]>(
      `SELECT seq, command_id, status, intent, intent_at FROM exchange_command_log WHERE ${logged}`,
      [idList],
    );
    const seen = new Map(known.map((row) => [row.command_id, row]));
    const retried: number[] = [];
    const rows: unknown[][] = [];
    const receivedAt = new Date().toISOString();
    const recorded = commands.map(({ mailboxKey, command, origin }) => {
      const existing = seen.get(command.commandId);
      if (existing && existing.status !== 'failed') return false;
      if (existing) retried.push(Number(existing.seq));
      // What comes after it in this batch is a duplicate of a pending command.
      seen.set(command.commandId, { seq: 0, command_id: command.commandId, status: 'pending' });
      rows.push([
        command.commandId,
        command.tenant.toLowerCase(),
        mailboxKey,
        'pending',
        JSON.stringify(command),
        JSON.stringify(origin),
        existing?.intent ?? null,
        existing?.intent ? existing.intent_at : null,
        receivedAt,
      ]);
      return true;
    });
    if (retried.length > 0) {
      const [failed, seqList] = oneOf(tx, 'seq', retried, 1, 'bigint');
      await tx.query(`DELETE FROM exchange_command_log WHERE ${failed}`, [seqList]);
    }
    await bulkInsert(tx, 'exchange_command_log', ACCEPT_COLUMNS, rows);
    return recorded;
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
    await writeOne(this.db, (m) =>
      m
        .getRepository(CommandLogEntity)
        .createQueryBuilder()
        .update()
        .set({ intent, intentAt: at.toISOString() })
        .whereInIds([...seqs])
        .andWhere(PENDING_ROWS)
        .execute(),
    );
  }

  /**
   * Marks pending commands done, in ONE statement whatever their count (the rows as one JSON
   * parameter: `json_array_elements` on PostgreSQL, `json_each` on SQLite); answers the seqs it
   * marked: a command not pending any more (completed elsewhere) is left as it is and not among them.
   */
  async completeMany(tx: Tx, done: readonly CompletedCommand[]): Promise<Set<number>> {
    if (done.length === 0) return new Set();
    const rows = JSON.stringify(
      done.map((d) => [d.seq, d.status, JSON.stringify(d.result), d.result.attempts, d.result.completedAt]),
    );
    const pg = isPostgres(tx);
    const [e, int, from] = pg
      ? ['e', '::int', 'json_array_elements($1::json) AS r(e)']
      : ['value', '', 'json_each(?)'];
    // The rows' columns are named apart from the table's: RETURNING and WHERE name the table's unqualified.
    const answered = await tx.query<unknown>(
      `UPDATE exchange_command_log SET status = d.done_status, result = d.done_result,
              attempts = d.done_attempts, completed_at = d.done_completed_at
         FROM (SELECT (${e} ->> 0)${int} AS done_seq, ${e} ->> 1 AS done_status, ${e} ->> 2 AS done_result,
                      (${e} ->> 3)${int} AS done_attempts, ${e} ->> 4 AS done_completed_at
                 FROM ${from}) AS d
        WHERE seq = d.done_seq AND ${PENDING_ROWS} RETURNING seq`,
      [rows],
    );
    // UPDATE … RETURNING answers [rows, count] through TypeORM's PostgreSQL driver, the rows on SQLite.
    const marked = (pg ? (answered as [unknown[]])[0] : answered) as { seq: number | string }[];
    return new Set(marked.map((r) => Number(r.seq)));
  }

  /** Sets when the commands are tried next; `attempts` undefined keeps each command's count. */
  async deferRetry(
    seqs: readonly number[],
    attempts: number | undefined,
    nextAttemptAt: Date,
  ): Promise<void> {
    if (seqs.length === 0) return;
    await writeOne(this.db, (m) =>
      m
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

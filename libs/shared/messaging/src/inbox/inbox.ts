import { createHash } from 'node:crypto';
import type { CloudEvent } from '@easgate/contracts';
import { type Database, isUniqueViolation, type Tx } from '@easgate/persistence';
import { bulkInsert } from '../bulk-sql';
import { ProcessedMessageEntity } from './processed-message.entity';

export interface InboxBatchOutcome<T> {
  /** The events not seen before, in batch order (a repeat inside the batch counted once). */
  fresh: number;
  duplicates: number;
  result?: T;
}

export type InboxOutcome<T> = { status: 'processed'; result: T } | { status: 'duplicate' };

export function messageKeyOf(event: Pick<CloudEvent, 'source' | 'id'>): string {
  return createHash('sha256').update(event.source).update('\n').update(event.id).digest('hex');
}

/**
 * The idempotent inbox: `once` runs the work and records the message in ONE transaction, so a
 * message delivered twice changes state once. If the work fails, neither is kept.
 */
export class Inbox {
  constructor(
    readonly database: Database,
    private readonly consumer: string,
  ) {}

  async once<T>(
    event: Pick<CloudEvent, 'source' | 'id'>,
    work: (tx: Tx) => Promise<T>,
  ): Promise<InboxOutcome<T>> {
    const messageKey = messageKeyOf(event);
    try {
      return await this.database.transaction(async (tx) => {
        const repo = tx.getRepository(ProcessedMessageEntity);
        if (await repo.existsBy({ consumer: this.consumer, messageKey }))
          return { status: 'duplicate' } as const;
        await repo.insert({
          consumer: this.consumer,
          messageKey,
          eventSource: event.source,
          eventId: event.id,
          processedAt: new Date().toISOString(),
        });
        return { status: 'processed', result: await work(tx) } as const;
      });
    } catch (err) {
      // A concurrent delivery of the same message committed first.
      if (isUniqueViolation(err)) return { status: 'duplicate' };
      throw err;
    }
  }

  /**
   * The batch form of `once`: in ONE transaction, records every event of the batch with one
   * statement per few thousand events (`INSERT … ON CONFLICT DO NOTHING RETURNING`), and runs `work`
   * with those that were new, in batch order (the first of repeats inside the batch). If the work
   * fails, nothing is kept. A concurrent transaction recording the same event first makes it a
   * duplicate here (PostgreSQL waits for that transaction, then skips the row).
   */
  async onceEach<E extends Pick<CloudEvent, 'source' | 'id'>, T>(
    events: readonly E[],
    work: (tx: Tx, fresh: E[]) => Promise<T>,
  ): Promise<InboxBatchOutcome<T>> {
    const byKey = new Map<string, E>();
    for (const event of events) {
      const key = messageKeyOf(event);
      if (!byKey.has(key)) byKey.set(key, event);
    }
    return this.database.transaction(async (tx) => {
      const processedAt = new Date().toISOString();
      const inserted = await bulkInsert<{ message_key: string }>(
        tx,
        'processed_message',
        ['consumer', 'message_key', 'event_source', 'event_id', 'processed_at'].map((name) => ({
          name,
          type: 'text' as const,
        })),
        [...byKey].map(([key, event]) => [this.consumer, key, event.source, event.id, processedAt]),
        'ON CONFLICT DO NOTHING RETURNING message_key',
      );
      const isNew = new Set(inserted.map((row) => row.message_key));
      const fresh = [...byKey].filter(([key]) => isNew.has(key)).map(([, event]) => event);
      const outcome = { fresh: fresh.length, duplicates: events.length - fresh.length };
      if (fresh.length === 0) return outcome;
      return { ...outcome, result: await work(tx, fresh) };
    });
  }

  /**
   * Forgets that `event` was processed, in the caller's transaction: what is dead-lettered after
   * its delivery (a queued command that failed for good) is then not taken for a duplicate when replayed.
   */
  async forget(tx: Tx, event: Pick<CloudEvent, 'source' | 'id'>): Promise<void> {
    await tx
      .getRepository(ProcessedMessageEntity)
      .delete({ consumer: this.consumer, messageKey: messageKeyOf(event) });
  }

  /** Forgets processed-message rows older than `olderThan` (the replay window). */
  async purge(olderThan: Date): Promise<number> {
    return this.database.transaction(async (tx) => {
      const result = await tx
        .createQueryBuilder()
        .delete()
        .from(ProcessedMessageEntity)
        .where('consumer = :consumer AND processed_at < :cutoff', {
          consumer: this.consumer,
          cutoff: olderThan.toISOString(),
        })
        .execute();
      return result.affected ?? 0;
    });
  }
}

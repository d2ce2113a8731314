import { createHash } from 'node:crypto';
import type { CloudEvent } from '@easgate/contracts';
import { type Database, isUniqueViolation, type Tx } from '@easgate/persistence';
import { ProcessedMessageEntity } from './processed-message.entity';

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

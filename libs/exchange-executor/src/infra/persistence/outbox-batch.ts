import { type CloudEvent, encodeStructured } from '@easgate/contracts';
import { type Outbox, OutboxEventEntity } from '@easgate/messaging';
import type { Tx } from '@easgate/persistence';

export interface OutboxBatchItem {
  topic: string;
  key: string | null;
  event: CloudEvent<unknown>;
}

type BatchingOutbox = Outbox & {
  enqueueMany?: (tx: Tx, items: readonly OutboxBatchItem[]) => Promise<void>;
};

/**
 * Many events into the outbox in the caller's transaction, a few statements rather than one per
 * event (a discovery page is a thousand). `Outbox.enqueueMany` comes with the messaging batch work
 * and is used once there; until then the same rows `Outbox.enqueue` writes (structured mode), in
 * multi-row inserts. The relay publishes them on its next poll.
 */
export async function enqueueBatch(outbox: Outbox, tx: Tx, items: readonly OutboxBatchItem[]): Promise<void> {
  const batching = outbox as BatchingOutbox;
  if (typeof batching.enqueueMany === 'function') return batching.enqueueMany(tx, items);
  const createdAt = new Date().toISOString();
  const rows = items.map(({ topic, key, event }) => {
    const record = encodeStructured(event, key);
    return {
      topic,
      messageKey: record.key,
      value: record.value === null ? null : record.value.toString('utf8'),
      headers: JSON.stringify(record.headers),
      createdAt,
      publishedAt: null,
    };
  });
  for (let i = 0; i < rows.length; i += 500)
    await tx.getRepository(OutboxEventEntity).insert(rows.slice(i, i + 500));
}

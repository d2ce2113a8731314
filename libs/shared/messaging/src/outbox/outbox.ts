import { type CloudEvent, encodeBinary, encodeStructured, type KafkaRecord } from '@easgate/contracts';
import type { Database, Tx } from '@easgate/persistence';
import type { Logger } from '../logger';
import type { MessagePublisher } from '../transport/message';
import { OutboxEventEntity } from './outbox-event.entity';

export type ContentModeChoice = 'structured' | 'binary';

/** Adds events to the outbox inside the caller's transaction: they exist only if it commits. */
export class Outbox {
  constructor(private readonly onEnqueued?: () => void) {}

  async enqueue(
    tx: Tx,
    topic: string,
    key: string | null,
    event: CloudEvent<unknown>,
    mode: ContentModeChoice = 'structured',
  ): Promise<void> {
    const record = mode === 'structured' ? encodeStructured(event, key) : encodeBinary(event, key);
    await this.enqueueRecord(tx, topic, record);
  }

  async enqueueRecord(tx: Tx, topic: string, record: KafkaRecord): Promise<void> {
    await tx.getRepository(OutboxEventEntity).insert({
      topic,
      messageKey: record.key,
      value: record.value === null ? null : record.value.toString('utf8'),
      headers: JSON.stringify(record.headers),
      createdAt: new Date().toISOString(),
      publishedAt: null,
    });
    // Wake the relay once the transaction has had a chance to commit.
    if (this.onEnqueued) setImmediate(this.onEnqueued);
  }
}

export interface OutboxRelayOptions {
  pollIntervalMs?: number;
  batchSize?: number;
  /** Published rows are kept this long for inspection, then purged. */
  retentionMs?: number;
}

/**
 * Publishes committed outbox rows in insertion order, then marks them published. At-least-once:
 * a crash between publish and mark re-publishes (consumers dedupe with their inbox); an event
 * whose transaction rolled back never existed, so it is never published.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private polls = 0;

  constructor(
    private readonly db: Database,
    private readonly publisher: MessagePublisher,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a publish pass soon (after an enqueue). */
  readonly notify = (): void => {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  };

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = this.publishPending()
      .then((n) => {
        if (n > 0) this.again = true;
      })
      .catch((err: unknown) => {
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'outbox relay pass failed: will retry',
        );
      })
      .finally(() => {
        this.running = undefined;
        const next = this.again ? 0 : (this.options.pollIntervalMs ?? 250);
        this.again = false;
        if (!this.stopped) this.schedule(next);
      });
    await this.running;
  }

  /** One pass: publish up to a batch of pending rows. Returns how many were published. */
  async publishPending(): Promise<number> {
    const batchSize = this.options.batchSize ?? 200;
    const published = await this.db.transaction(async (tx) => {
      const qb = tx
        .getRepository(OutboxEventEntity)
        .createQueryBuilder('o')
        .where('o.published_at IS NULL')
        .orderBy('o.id', 'ASC')
        .limit(batchSize);
      // Several relays on PostgreSQL: each row goes to one of them.
      if (this.db.kind === 'postgres') qb.setLock('pessimistic_write').setOnLocked('skip_locked');
      const rows = await qb.getMany();
      if (rows.length === 0) return 0;
      // Publish topic by topic, keeping the insertion order inside each.
      let i = 0;
      while (i < rows.length) {
        const topic = rows[i].topic;
        const group: OutboxEventEntity[] = [];
        while (i < rows.length && rows[i].topic === topic) group.push(rows[i++]);
        await this.publisher.publish(
          topic,
          group.map((r) => ({
            key: r.messageKey,
            value: r.value === null ? null : Buffer.from(r.value, 'utf8'),
            headers: JSON.parse(r.headers) as Record<string, string>,
          })),
        );
      }
      await tx
        .getRepository(OutboxEventEntity)
        .createQueryBuilder()
        .update()
        .set({ publishedAt: new Date().toISOString() })
        .whereInIds(rows.map((r) => r.id))
        .execute();
      return rows.length;
    });
    if (published > 0) this.logger.debug({ published }, 'outbox events published');
    if (++this.polls % 200 === 0) await this.purgePublished();
    return published;
  }

  private async purgePublished(): Promise<void> {
    const cutoff = new Date(Date.now() - (this.options.retentionMs ?? 24 * 3600_000)).toISOString();
    await this.db.transaction((tx) =>
      tx
        .getRepository(OutboxEventEntity)
        .createQueryBuilder()
        .delete()
        .where('published_at IS NOT NULL AND published_at < :cutoff', { cutoff })
        .execute(),
    );
  }

  /** Rows not yet published (backlog, for metrics and alerts). */
  async pendingCount(): Promise<number> {
    return this.db.read((m) =>
      m.getRepository(OutboxEventEntity).createQueryBuilder('o').where('o.published_at IS NULL').getCount(),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

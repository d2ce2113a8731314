import { type CloudEvent, encodeBinary, encodeStructured, type KafkaRecord } from '@easgate/contracts';
import type { Database, Tx } from '@easgate/persistence';
import type { QueryRunner } from 'typeorm';
import type { Logger } from '../logger';
import type { MessagePublisher } from '../transport/message';
import { bulkInsert, isPostgres, oneOf } from '../bulk-sql';
import { OutboxEventEntity } from './outbox-event.entity';

/** One event for `Outbox.enqueueMany`. */
export interface OutboxItem {
  topic: string;
  key: string | null;
  event: CloudEvent<unknown>;
  mode?: ContentModeChoice;
}

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

  /** Many events at once, in order, with one statement per few thousand rows. */
  async enqueueMany(tx: Tx, items: readonly OutboxItem[]): Promise<void> {
    if (items.length === 0) return;
    const createdAt = new Date().toISOString();
    await bulkInsert(
      tx,
      'outbox_event',
      ['topic', 'message_key', 'value', 'headers', 'created_at'].map((name) => ({
        name,
        type: 'text' as const,
      })),
      items.map(({ topic, key, event, mode }) => {
        const record = mode === 'binary' ? encodeBinary(event, key) : encodeStructured(event, key);
        return [
          topic,
          record.key,
          record.value === null ? null : record.value.toString('utf8'),
          JSON.stringify(record.headers),
          createdAt,
        ];
      }),
    );
    if (this.onEnqueued) setImmediate(this.onEnqueued);
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

interface OutboxRow {
  id: number | string;
  topic: string;
  message_key: string | null;
  value: string | null;
  headers: string;
}

/** Rows per relay pass: one produce request per topic run, ~0.5 MB of typical events. */
export const DEFAULT_RELAY_BATCH_SIZE = 1_000;

export interface OutboxRelayOptions {
  pollIntervalMs?: number;
  batchSize?: number;
  /** Published rows are kept this long for inspection, then purged. */
  retentionMs?: number;
}

/** One publisher per service schema: the advisory lock every relay of that schema competes for. */
const LEADER_LOCK_KEY = `hashtext('easgate-outbox:' || current_schema())`;

/**
 * Publishes committed outbox rows in insertion order, then marks them published. At-least-once:
 * a crash between publish and mark re-publishes (consumers dedupe with their inbox); an event
 * whose transaction rolled back never existed, so it is never published.
 *
 * Several replicas of a service on PostgreSQL: only one relay publishes, the holder of a
 * session-level advisory lock kept on a dedicated connection; the others stand by and try the lock
 * on every poll, so one takes over as soon as the holder stops (the lock is released) or dies (its
 * session ends). Rows are therefore published in insertion order, which keeps per-key order.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private polls = 0;
  private failures = 0;
  /** The connection holding (or trying for) the leader lock; PostgreSQL only. */
  private lockConnection?: QueryRunner;
  private leader = false;

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
    const poll = this.options.pollIntervalMs ?? 250;
    this.running = this.publishPending()
      .then((n) => {
        this.failures = 0;
        if (n > 0) this.again = true;
      })
      .catch((err: unknown) => {
        this.failures++;
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err), failures: this.failures },
          'outbox relay pass failed: will retry',
        );
      })
      .finally(() => {
        this.running = undefined;
        // Back off while the database or broker is down, instead of failing four times a second.
        const next = this.failures > 0 ? Math.min(10_000, poll * 2 ** this.failures) : this.again ? 0 : poll;
        this.again = false;
        if (!this.stopped) this.schedule(next);
      });
    await this.running;
  }

  /** Whether this relay published last time it tried (always true on SQLite, a single process). */
  get leading(): boolean {
    return this.db.kind !== 'postgres' || this.leader;
  }

  /** Is this relay the one that publishes? Takes the lead when it is free; notices when it was lost. */
  async holdsLead(): Promise<boolean> {
    if (this.db.kind !== 'postgres') return true;
    try {
      if (!this.lockConnection) {
        this.lockConnection = this.db.dataSource.createQueryRunner();
        await this.lockConnection.connect();
      }
      if (this.leader) {
        // The lock lives as long as this session: a query that passes proves the session (so the lock) is still ours.
        await this.lockConnection.query('SELECT 1');
        return true;
      }
      const [row] = (await this.lockConnection.query(
        `SELECT pg_try_advisory_lock(${LEADER_LOCK_KEY}) AS locked`,
      )) as { locked: boolean }[];
      this.leader = row?.locked === true;
      if (this.leader) this.logger.info('outbox relay: this instance publishes (leader lock taken)');
      return this.leader;
    } catch (err) {
      if (this.leader) this.logger.warn('outbox relay: leader lock connection lost, standing by');
      this.leader = false;
      const lost = this.lockConnection;
      this.lockConnection = undefined;
      await lost?.release().catch(() => undefined);
      throw err;
    }
  }

  private async releaseLead(): Promise<void> {
    const connection = this.lockConnection;
    this.lockConnection = undefined;
    if (!connection) return;
    try {
      if (this.leader) await connection.query(`SELECT pg_advisory_unlock(${LEADER_LOCK_KEY})`);
    } catch {
      // The session is gone, and the lock with it.
    } finally {
      this.leader = false;
      await connection.release().catch(() => undefined);
    }
  }

  /** One pass: publish up to a batch of pending rows. Returns how many were published. */
  async publishPending(): Promise<number> {
    if (!(await this.holdsLead())) return 0;
    const batchSize = this.options.batchSize ?? DEFAULT_RELAY_BATCH_SIZE;
    const published = await this.db.transaction(async (tx) => {
      // One leader publishes; the row lock (never SKIP LOCKED, which reorders) also serialises a
      // former leader that has not noticed yet that it lost the lead.
      const rows = await tx.query<OutboxRow[]>(
        `SELECT id, topic, message_key, value, headers FROM outbox_event WHERE published_at IS NULL ` +
          `ORDER BY id ASC LIMIT ${Number(batchSize)}${isPostgres(tx) ? ' FOR UPDATE' : ''}`,
      );
      if (rows.length === 0) return 0;
      // Publish topic by topic, keeping the insertion order inside each: one produce request per run.
      let i = 0;
      while (i < rows.length) {
        const topic = rows[i].topic;
        const group: OutboxRow[] = [];
        while (i < rows.length && rows[i].topic === topic) group.push(rows[i++]);
        await this.publisher.publish(
          topic,
          group.map((r) => ({
            key: r.message_key,
            value: r.value === null ? null : Buffer.from(r.value, 'utf8'),
            headers: JSON.parse(r.headers) as Record<string, string>,
          })),
        );
      }
      const publishedAt = new Date().toISOString();
      const ids = rows.map((r) => Number(r.id));
      const [isPublished, idList] = oneOf(tx, 'id', ids, 2, 'bigint');
      await tx.query(
        `UPDATE outbox_event SET published_at = ${isPostgres(tx) ? '$1' : '?'} WHERE ${isPublished}`,
        [publishedAt, idList],
      );
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

  /** Stops polling after a last pass publishing what is already committed (when this relay leads), then gives up the lead. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.logger.debug('outbox relay: last pass');
    try {
      for (let pass = 0; pass < 10 && (await this.publishPending()) > 0; pass++);
    } catch (err) {
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'outbox relay: last pass failed, the rows are published after the restart',
      );
    }
    await this.releaseLead();
    this.logger.debug('outbox relay stopped');
  }
}

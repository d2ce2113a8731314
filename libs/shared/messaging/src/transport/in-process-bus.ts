import { createHash } from 'node:crypto';
import { type BusLog, MemoryBusLog, SqliteBusLog, type SqliteBusLogOptions } from './bus-log';
import {
  type BatchSink,
  DEFAULT_MAX_BATCH_SIZE,
  type ConsumerHandle,
  type ConsumerOptions,
  type DeliveryControl,
  type IncomingMessage,
  type MessageBus,
  type MessagePublisher,
  type MessageSink,
} from './message';

/** Records a consumer reads from its log at once. */
const READ_AHEAD = 256;
/**
 * A pump whose sinks resolve without real I/O (SQLite is synchronous) would otherwise chain
 * promises without ever returning to the event loop, starving the process's HTTP requests.
 */
const YIELD_EVERY_MS = 10;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/**
 * Offsets are written every this many messages, when the partition runs dry, and on stop: after a
 * crash a group gets again at most this many messages per partition (inboxes drop the repeats).
 */
const COMMIT_EVERY = 64;

type Sink = { kind: 'one'; sink: MessageSink } | { kind: 'batch'; sink: BatchSink; max: number };

interface RunningConsumer {
  stopped: boolean;
  done: Promise<void>[];
  /** Aborted on stop, so that a message waiting out a retry gives up (it is redelivered later). */
  abort: AbortController;
}

/**
 * The single-machine bus: the same semantics as Kafka in one process — topics split into
 * partitions by key hash, per-partition order, consumer groups with committed offsets (each
 * message delivered once per group, redelivered if the sink throws), at-least-once.
 *
 * Where it keeps records and offsets is its {@link BusLog}: `InProcessBus.durable(file)` (what
 * `easgate start` uses) keeps them in SQLite, so `publish` resolves once the records are on disk
 * and, after a crash, each group resumes from its committed offset — what was accepted but not
 * handled is delivered again. The default log is memory only (tests, benches).
 */
export class InProcessBus implements MessageBus {
  readonly kind = 'in-process' as const;
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly members = new Map<string, number>();
  private readonly running = new Set<RunningConsumer>();
  private roundRobin = 0;

  constructor(
    private readonly partitionsPerTopic = 4,
    private readonly redeliveryDelayMs = 100,
    private readonly log: BusLog = new MemoryBusLog(),
  ) {}

  /** A bus whose records and committed offsets live in the SQLite file `file` (created if absent). */
  static durable(
    file: string,
    options: SqliteBusLogOptions & { partitionsPerTopic?: number; redeliveryDelayMs?: number } = {},
  ): InProcessBus {
    return new InProcessBus(
      options.partitionsPerTopic ?? 4,
      options.redeliveryDelayMs ?? 100,
      new SqliteBusLog(file, options),
    );
  }

  private partitionFor(key: string | null, count: number): number {
    if (key === null) return this.roundRobin++ % count;
    return createHash('md5').update(key).digest().readUInt32BE(0) % count;
  }

  private wake(position: string): void {
    this.waiters
      .get(position)
      ?.splice(0)
      .forEach((wake) => wake());
  }

  private wakeAll(): void {
    for (const position of this.waiters.keys()) this.wake(position);
  }

  publisher(): MessagePublisher {
    return {
      publish: async (topic, records) => {
        const count = this.log.partitions(topic, this.partitionsPerTopic);
        const entries = records.map((record) => ({
          topic,
          partition: this.partitionFor(record.key, count),
          record,
        }));
        // All or none, and on disk for a durable log, before the promise resolves.
        this.log.append(entries);
        for (const partition of new Set(entries.map((e) => e.partition))) this.wake(`${topic}/${partition}`);
      },
    };
  }

  /** Messages in a topic (all partitions) still held, for the embedded console and tests. */
  read(topic: string): IncomingMessage[] {
    const count = this.log.partitions(topic, this.partitionsPerTopic);
    return Array.from({ length: count }, (_, partition) => {
      const start = this.log.start(topic, partition);
      return this.log
        .read(topic, partition, start, this.log.end(topic, partition) - start)
        .map((r) => ({ ...r, topic, partition, offset: String(r.offset) }));
    }).flat();
  }

  consume(options: ConsumerOptions, sink: MessageSink): Promise<ConsumerHandle> {
    return this.start(options, { kind: 'one', sink });
  }

  /** Each call of `sink` gets the partition's ready records (up to `maxBatchSize`), in order. */
  consumeBatches(options: ConsumerOptions, sink: BatchSink): Promise<ConsumerHandle> {
    return this.start(options, {
      kind: 'batch',
      sink,
      max: Math.max(1, options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE),
    });
  }

  private async start(options: ConsumerOptions, sink: Sink): Promise<ConsumerHandle> {
    const { groupId } = options;
    if ((this.members.get(groupId) ?? 0) > 0) {
      // One member per group in one process: a second would only ever be idle.
      throw new Error(`in-process bus: group ${groupId} already has a consumer`);
    }
    this.members.set(groupId, 1);
    const state: RunningConsumer = { stopped: false, done: [], abort: new AbortController() };
    this.running.add(state);
    for (const topic of options.topics) {
      const count = this.log.partitions(topic, this.partitionsPerTopic);
      for (let partition = 0; partition < count; partition++) {
        if (this.log.committed(groupId, topic, partition) === undefined) {
          // A new group starts at the oldest record held, or at the end; remembered from now on.
          const first =
            options.fromBeginning === false
              ? this.log.end(topic, partition)
              : this.log.start(topic, partition);
          this.log.commit(groupId, topic, partition, first);
        }
        state.done.push(this.pump(groupId, topic, partition, state, sink));
      }
    }
    return {
      stop: async () => {
        state.stopped = true;
        state.abort.abort();
        this.wakeAll();
        await Promise.all(state.done);
        this.running.delete(state);
        this.members.set(groupId, 0);
      },
    };
  }

  private async pump(
    groupId: string,
    topic: string,
    partition: number,
    state: RunningConsumer,
    sink: Sink,
  ): Promise<void> {
    const readAhead = sink.kind === 'batch' ? Math.max(READ_AHEAD, sink.max) : READ_AHEAD;
    const position = `${topic}/${partition}`;
    // One member per group: there is no session to keep alive.
    const control: DeliveryControl = { heartbeat: () => Promise.resolve(), signal: state.abort.signal };
    let next = this.log.committed(groupId, topic, partition)!;
    let buffer = this.log.read(topic, partition, next, readAhead);
    let lastTurn = Date.now();
    let handled = 0;
    const commit = () => {
      if (handled === 0) return;
      this.log.commit(groupId, topic, partition, next);
      handled = 0;
    };
    while (!state.stopped) {
      if (Date.now() - lastTurn >= YIELD_EVERY_MS) {
        await nextTurn();
        lastTurn = Date.now();
        continue; // stopped meanwhile?
      }
      if (buffer.length === 0) {
        buffer = this.log.read(topic, partition, next, readAhead);
        if (buffer.length === 0) {
          commit();
          await new Promise<void>((resolve) => {
            const waiting = this.waiters.get(position) ?? [];
            waiting.push(resolve);
            this.waiters.set(position, waiting);
          });
          lastTurn = Date.now();
        }
        continue;
      }
      const taken = sink.kind === 'batch' ? buffer.slice(0, sink.max) : buffer.slice(0, 1);
      const messages = taken.map((r) => ({ ...r, topic, partition, offset: String(r.offset) }));
      try {
        if (sink.kind === 'batch') await sink.sink(messages, control);
        else await sink.sink(messages[0], control);
      } catch {
        // Like a kafkajs consumer whose eachMessage/eachBatch threw: the offset stays, the messages come again.
        commit();
        await new Promise((r) => setTimeout(r, this.redeliveryDelayMs));
        continue;
      }
      next = taken[taken.length - 1].offset + 1;
      buffer = buffer.slice(taken.length);
      handled += taken.length;
      if (handled >= COMMIT_EVERY) commit();
    }
    commit();
  }

  /** Stops every consumer (waiting for the messages in hand), then releases the log. */
  async close(): Promise<void> {
    for (const state of this.running) {
      state.stopped = true;
      state.abort.abort();
    }
    this.wakeAll();
    await Promise.all([...this.running].flatMap((state) => state.done));
    this.log.close();
  }
}

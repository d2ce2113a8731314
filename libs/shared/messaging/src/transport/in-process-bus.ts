import { createHash } from 'node:crypto';
import type { KafkaRecord } from '@easgate/contracts';
import type {
  ConsumerHandle,
  ConsumerOptions,
  IncomingMessage,
  MessageBus,
  MessagePublisher,
  MessageSink,
} from './message';

interface StoredRecord extends KafkaRecord {
  offset: number;
  timestamp: string;
}

interface Partition {
  log: StoredRecord[];
  waiters: (() => void)[];
}

interface GroupState {
  /** Next offset to read, per topic and partition: committed only after the sink resolves. */
  committed: Map<string, number>;
  members: number;
}

/**
 * The single-machine bus: the same semantics as Kafka in one process — topics split into
 * partitions by key hash, per-partition order, consumer groups with committed offsets (each
 * message delivered once per group, redelivered if the sink throws), at-least-once.
 * It keeps nothing across restarts: the transactional outbox is what makes that safe (events
 * stay in the database until published, and inboxes dedupe what is delivered twice).
 */
export class InProcessBus implements MessageBus {
  readonly kind = 'in-process' as const;
  private readonly topics = new Map<string, Partition[]>();
  private readonly groups = new Map<string, GroupState>();
  private readonly running = new Set<{ stopped: boolean; done: Promise<void>[] }>();

  constructor(
    private readonly partitionsPerTopic = 4,
    private readonly redeliveryDelayMs = 100,
  ) {}

  private partitionsOf(topic: string): Partition[] {
    let partitions = this.topics.get(topic);
    if (!partitions) {
      partitions = Array.from({ length: this.partitionsPerTopic }, () => ({ log: [], waiters: [] }));
      this.topics.set(topic, partitions);
    }
    return partitions;
  }

  private partitionFor(key: string | null, count: number, roundRobin: number): number {
    if (key === null) return roundRobin % count;
    return createHash('md5').update(key).digest().readUInt32BE(0) % count;
  }

  private roundRobin = 0;

  publisher(): MessagePublisher {
    return {
      publish: async (topic, records) => {
        const partitions = this.partitionsOf(topic);
        for (const record of records) {
          const index = this.partitionFor(record.key, partitions.length, this.roundRobin++);
          const partition = partitions[index];
          partition.log.push({
            key: record.key,
            value: record.value === null ? null : Buffer.from(record.value),
            headers: { ...record.headers },
            offset: partition.log.length,
            timestamp: String(Date.now()),
          });
          partition.waiters.splice(0).forEach((wake) => wake());
        }
      },
    };
  }

  /** Messages in a topic (all partitions), for the embedded console and tests. */
  read(topic: string): IncomingMessage[] {
    return this.partitionsOf(topic).flatMap((p, partition) =>
      p.log.map((r) => ({ ...r, topic, partition, offset: String(r.offset) })),
    );
  }

  async consume(options: ConsumerOptions, sink: MessageSink): Promise<ConsumerHandle> {
    let group = this.groups.get(options.groupId);
    if (!group) {
      group = { committed: new Map(), members: 0 };
      this.groups.set(options.groupId, group);
    }
    if (group.members > 0) {
      // One member per group in one process: a second would only ever be idle.
      throw new Error(`in-process bus: group ${options.groupId} already has a consumer`);
    }
    group.members++;
    const state = { stopped: false, done: [] as Promise<void>[] };
    this.running.add(state);
    const g = group;
    for (const topic of options.topics) {
      this.partitionsOf(topic).forEach((partition, index) => {
        const position = `${topic}/${index}`;
        if (!g.committed.has(position))
          g.committed.set(position, options.fromBeginning === false ? partition.log.length : 0);
        state.done.push(this.pump(topic, index, partition, position, g, state, sink));
      });
    }
    return {
      stop: async () => {
        state.stopped = true;
        for (const partitions of this.topics.values())
          partitions.forEach((p) => p.waiters.splice(0).forEach((w) => w()));
        await Promise.all(state.done);
        this.running.delete(state);
        g.members--;
      },
    };
  }

  private async pump(
    topic: string,
    index: number,
    partition: Partition,
    position: string,
    group: GroupState,
    state: { stopped: boolean },
    sink: MessageSink,
  ): Promise<void> {
    while (!state.stopped) {
      const next = group.committed.get(position)!;
      const record = partition.log[next];
      if (!record) {
        await new Promise<void>((resolve) => partition.waiters.push(resolve));
        continue;
      }
      try {
        await sink({ ...record, topic, partition: index, offset: String(record.offset) });
        group.committed.set(position, next + 1);
      } catch {
        // Like a kafkajs consumer whose eachMessage threw: the offset stays, the message comes again.
        await new Promise((r) => setTimeout(r, this.redeliveryDelayMs));
      }
    }
  }

  async close(): Promise<void> {
    for (const state of this.running) state.stopped = true;
    for (const partitions of this.topics.values())
      partitions.forEach((p) => p.waiters.splice(0).forEach((w) => w()));
  }
}

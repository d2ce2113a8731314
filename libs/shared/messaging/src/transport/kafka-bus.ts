import { type KafkaRecord, normalizeHeaders } from '@easgate/contracts';
import {
  type Consumer,
  type ITopicConfig,
  Kafka,
  type KafkaConfig,
  logLevel,
  type Producer,
  type logCreator,
} from 'kafkajs';
import { createLogger, type Logger } from '../logger';
import type { ConsumerHandle, ConsumerOptions, MessageBus, MessagePublisher, MessageSink } from './message';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs session timeout; the bounded retries of one message must stay well under it. */
  sessionTimeoutMs?: number;
  logger?: Logger;
  kafka?: Partial<KafkaConfig>;
}

function kafkajsLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      if (level === logLevel.ERROR) logger.error(extra, `kafkajs: ${message}`);
      else if (level === logLevel.WARN) logger.warn(extra, `kafkajs: ${message}`);
      else logger.debug(extra, `kafkajs: ${message}`);
    };
}

/** The Kafka bus (kafkajs): at-least-once, offset + 1 committed after the sink resolves. */
export class KafkaBus implements MessageBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private producer?: Promise<Producer>;
  private readonly consumers = new Set<Consumer>();

  constructor(private readonly options: KafkaBusOptions) {
    process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
    this.logger = options.logger ?? createLogger('kafka-bus');
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: kafkajsLogCreator(this.logger),
      ...options.kafka,
    });
  }

  publisher(): MessagePublisher {
    return {
      publish: async (topic: string, records: KafkaRecord[]) => {
        if (records.length === 0) return;
        const producer = await this.connectedProducer();
        await producer.send({
          topic,
          messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
        });
      },
    };
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      return producer;
    })().catch((err) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }

  /**
   * A group that starts "from the end" must not lose what is produced while it joins, nor, after a
   * restart, what was produced while it was down on a partition it had not consumed yet. So the
   * end of each partition without a committed offset is committed for the group before it joins:
   * from then on the group resumes from committed offsets only.
   */
  private async pinUncommittedPartitionsToEnd(groupId: string, topics: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const { topic, partitions } of committed) {
        const missing = partitions.filter((p) => p.offset === '-1').map((p) => p.partition);
        if (missing.length === 0) continue;
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({
          groupId,
          topic,
          partitions: ends
            .filter((e) => missing.includes(e.partition))
            .map((e) => ({ partition: e.partition, offset: e.high })),
        });
      }
    } catch (err) {
      // Another member of the group is already running: it owns the positions.
      this.logger.debug(
        { groupId, err: err instanceof Error ? err.message : String(err) },
        'group positions left as they are',
      );
    } finally {
      await admin.disconnect();
    }
  }

  async consume(options: ConsumerOptions, sink: MessageSink): Promise<ConsumerHandle> {
    if (options.fromBeginning === false)
      await this.pinUncommittedPartitionsToEnd(options.groupId, options.topics);
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 1_000,
      allowAutoTopicCreation: true,
    });
    this.consumers.add(consumer);
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      // kafkajs marks a message's offset + 1 once eachMessage resolves (never before: the work is
      // awaited) and commits those marks every 100 messages or 500 ms, and at the end of each batch
      // and on stop. A crash redelivers at most what was handled since, which the inboxes dedupe:
      // committing each message on its own cost ~7 ms a message.
      autoCommit: true,
      autoCommitInterval: 500,
      autoCommitThreshold: 100,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachMessage: async ({ topic, partition, message }) => {
        await sink({
          topic,
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
          key: message.key === null ? null : message.key.toString('utf8'),
          value: message.value,
          headers: normalizeHeaders(message.headers),
        });
      },
    });
    await joined;
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  /** Creates topics that do not exist yet (with their dead-letter topics when asked). */
  async ensureTopics(topics: string[], numPartitions = 1): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing: ITopicConfig[] = topics
        .filter((t) => !existing.has(t))
        .map((topic) => ({ topic, numPartitions, replicationFactor: 1 }));
      if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer).disconnect();
  }
}

import { type KafkaRecord, normalizeHeaders, type TopicSpec, topicSpecs } from '@easgate/contracts';
import {
  type Admin,
  ConfigResourceTypes,
  type Consumer,
  type ConsumerRunConfig,
  type ITopicConfig,
  Kafka,
  type KafkaConfig,
  logLevel,
  type Producer,
  type logCreator,
} from 'kafkajs';
import { createLogger, type Logger } from '../logger';
import { DEFAULT_KAFKA_START_TIMEOUT_MS, errorMessage, untilKafkaReady } from './kafka-readiness';
import {
  type BatchSink,
  type ConsumerHandle,
  type ConsumerOptions,
  DEFAULT_MAX_BATCH_SIZE,
  type IncomingMessage,
  type MessageBus,
  type MessagePublisher,
  type MessageSink,
} from './message';

type KafkaMessage = Parameters<NonNullable<ConsumerRunConfig['eachMessage']>>[0]['message'];

/** A kafkajs message as the sinks (and the dead-letter inspector) receive it. */
export function incoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value,
    headers: normalizeHeaders(message.headers),
  };
}

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs session timeout; heartbeats keep it alive while a message waits for its infrastructure. */
  sessionTimeoutMs?: number;
  /** How long a start waits for the broker (leaders, group coordinator). Default 120 s. */
  startTimeoutMs?: number;
  logger?: Logger;
  kafka?: Partial<KafkaConfig>;
}

export interface EnsureTopicsOptions {
  /** Default: min(3, brokers in the cluster). */
  replicationFactor?: number;
}

/** What `ensureTopics` found and did. Partition counts are reported, never changed. */
export interface TopicProvisioning {
  created: string[];
  existing: string[];
  /** Topics with fewer partitions than their spec (parallelism capped; raise with kafka-topics --alter). */
  underPartitioned: { name: string; partitions: number; expected: number }[];
}

/** A topic as the broker holds it, beside its catalogue spec. */
export interface TopicState {
  name: string;
  exists: boolean;
  partitions?: number;
  replicationFactor?: number;
  retentionMs?: string;
  cleanupPolicy?: string;
}

/** A topic exists but some partition has no leader yet: wait, as for any broker error. */
class TopicsNotReadyError extends Error {
  override readonly name = 'KafkaJSTopicsNotReady';
}

function specOf(topic: TopicSpec | string): TopicSpec {
  if (typeof topic !== 'string') return topic;
  // A bare name: the catalogue's layout when it is a catalogue topic, one partition otherwise (tests).
  return (
    topicSpecs().find((s) => s.name === topic) ?? {
      name: topic,
      partitions: 1,
      retentionMs: 7 * 24 * 3600_000,
      cleanupPolicy: 'delete',
    }
  );
}

function kafkajsLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      // kafkajs logs every error response of the broker ("Response Metadata …") before its caller
      // retries it; what matters is the caller's outcome (e.g. one "Kafka not ready yet" line per wait).
      if (message.startsWith('Response ')) logger.debug(extra, `kafkajs: ${message}`);
      else if (level === logLevel.ERROR) logger.error(extra, `kafkajs: ${message}`);
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
  /** Running consumers, each with what makes its waiting messages give up when it stops. */
  private readonly consumers = new Map<Consumer, AbortController>();

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
      // Topics are provisioned (ensureTopics, `easgate topics apply`): a typo never creates a topic.
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
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
      this.logger.debug({ groupId, err: errorMessage(err) }, 'group positions left as they are');
    } finally {
      await admin.disconnect();
    }
  }

  private get startTimeoutMs(): number {
    return this.options.startTimeoutMs ?? DEFAULT_KAFKA_START_TIMEOUT_MS;
  }

  consume(options: ConsumerOptions, sink: MessageSink): Promise<ConsumerHandle> {
    return this.startConsuming(options, (signal) => ({
      eachMessage: async (payload) => {
        const { topic, partition, message } = payload;
        await sink(incoming(topic, partition, message), { heartbeat: () => payload.heartbeat(), signal });
      },
    }));
  }

  /**
   * Batches: kafkajs hands the messages one fetch brought for a partition; they go to the sink in
   * chunks of at most `maxBatchSize`, and the offset after each chunk is resolved only once the sink
   * resolved (committed with the same thresholds as single messages, and at the end of the batch).
   * A consumer that stops or loses the partition mid-batch leaves the rest uncommitted: redelivered.
   */
  consumeBatches(options: ConsumerOptions, sink: BatchSink): Promise<ConsumerHandle> {
    const max = Math.max(1, options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE);
    return this.startConsuming(options, (signal) => ({
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const heartbeat = () => payload.heartbeat();
        const messages = batch.messages;
        for (let i = 0; i < messages.length; i += max) {
          if (!payload.isRunning() || payload.isStale()) return;
          const chunk = messages.slice(i, i + max).map((m) => incoming(batch.topic, batch.partition, m));
          await sink(chunk, { heartbeat, signal });
          payload.resolveOffset(chunk[chunk.length - 1].offset);
          await payload.commitOffsetsIfNecessary();
          await heartbeat();
        }
      },
    }));
  }

  private async startConsuming(
    options: ConsumerOptions,
    handling: (
      signal: AbortSignal,
    ) => Pick<ConsumerRunConfig, 'eachMessage' | 'eachBatch' | 'eachBatchAutoResolve'>,
  ): Promise<ConsumerHandle> {
    const stopping = new AbortController();
    const consumer = await untilKafkaReady(
      `consumer group ${options.groupId}`,
      { timeoutMs: this.startTimeoutMs, logger: this.logger },
      () => this.startConsumer(options, handling(stopping.signal)),
    );
    this.consumers.set(consumer, stopping);
    return {
      stop: async () => {
        // Waiting messages give up first, so that disconnect (which awaits in-flight handlers) is prompt.
        stopping.abort();
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  /** One try at joining the group: on any failure the consumer is disconnected and the error thrown. */
  private async startConsumer(
    options: ConsumerOptions,
    handling: Pick<ConsumerRunConfig, 'eachMessage' | 'eachBatch' | 'eachBatchAutoResolve'>,
  ): Promise<Consumer> {
    if (options.fromBeginning === false)
      await this.pinUncommittedPartitionsToEnd(options.groupId, options.topics);
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 1_000,
      allowAutoTopicCreation: false,
      // Up to 4 MB per partition and fetch (kafkajs default 1 MB): a batch consumer gets full batches.
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
    });
    const removeListeners: (() => void)[] = [];
    const joined = new Promise<void>((resolve, reject) => {
      removeListeners.push(consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      // A crash kafkajs will not restart from (e.g. topics missing) fails this try; it restarts the others itself.
      removeListeners.push(
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        }),
      );
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        // kafkajs marks a message's offset + 1 once eachMessage resolves (never before: the work is
        // awaited; with batches, once the chunk's sink resolved) and commits those marks every 100
        // messages or 500 ms, and at the end of each batch and on stop. A crash redelivers at most
        // what was handled since, which the inboxes dedupe: committing each message on its own cost
        // ~7 ms a message.
        autoCommit: true,
        autoCommitInterval: 500,
        autoCommitThreshold: 100,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        ...handling,
      });
      await joined;
      return consumer;
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw err;
    } finally {
      removeListeners.forEach((off) => off());
    }
  }

  private async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return await work(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * Creates the topics that do not exist yet, with their partitions, retention and cleanup policy,
   * and waits until every partition has a leader. Idempotent and safe when several services start
   * at once (a topic another one created meanwhile counts as existing). Waits while the broker is
   * not ready, up to the start timeout. A topic with fewer partitions than its spec is reported
   * (logged and returned), never changed: repartitioning moves keys and is an operator's decision.
   */
  async ensureTopics(
    topics: readonly (TopicSpec | string)[],
    options: EnsureTopicsOptions = {},
  ): Promise<TopicProvisioning> {
    const specs = topics.map(specOf);
    if (specs.length === 0) return { created: [], existing: [], underPartitioned: [] };
    const names = specs.map((s) => s.name);
    const result = await untilKafkaReady(
      'topic provisioning',
      { timeoutMs: this.startTimeoutMs, logger: this.logger },
      () =>
        this.withAdmin(async (admin) => {
          const present = new Set(await admin.listTopics());
          const missing = specs.filter((s) => !present.has(s.name));
          const created: string[] = [];
          if (missing.length > 0) {
            const replicationFactor =
              options.replicationFactor ?? Math.min(3, (await admin.describeCluster()).brokers.length);
            const toCreate: ITopicConfig[] = missing.map((s) => ({
              topic: s.name,
              numPartitions: s.partitions,
              replicationFactor,
              configEntries: [
                { name: 'retention.ms', value: String(s.retentionMs) },
                { name: 'cleanup.policy', value: s.cleanupPolicy },
              ],
            }));
            // false when another service created them all first (TOPIC_ALREADY_EXISTS); when it created
            // some of them, kafkajs throws and the next try finds them present.
            if (await admin.createTopics({ topics: toCreate, waitForLeaders: true }))
              created.push(...missing.map((s) => s.name));
          }
          const metadata = await admin.fetchTopicMetadata({ topics: names });
          const leaderless = metadata.topics.filter((t) =>
            t.partitions.some((p) => p.leader < 0 || p.partitionErrorCode !== 0),
          );
          if (leaderless.length > 0)
            throw new TopicsNotReadyError(
              `partitions without a leader yet: ${leaderless.map((t) => t.name).join(', ')}`,
            );
          const partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
          return {
            created,
            existing: names.filter((n) => !created.includes(n)),
            underPartitioned: specs
              .filter((s) => (partitions.get(s.name) ?? 0) < s.partitions)
              .map((s) => ({
                name: s.name,
                partitions: partitions.get(s.name) ?? 0,
                expected: s.partitions,
              })),
          };
        }),
    );
    if (result.created.length > 0) this.logger.info({ topics: result.created }, 'topics created');
    for (const t of result.underPartitioned)
      this.logger.warn(
        { topic: t.name, partitions: t.partitions, expected: t.expected },
        `topic ${t.name} has ${t.partitions} partitions, fewer than the ${t.expected} of its spec: left as it is (parallelism capped)`,
      );
    return result;
  }

  /** How the broker holds some topics (for `easgate topics list`). */
  async describeTopics(names: readonly string[]): Promise<TopicState[]> {
    return this.withAdmin(async (admin) => {
      const present = new Set(await admin.listTopics());
      const existing = names.filter((n) => present.has(n));
      if (existing.length === 0) return names.map((name) => ({ name, exists: false }));
      const metadata = await admin.fetchTopicMetadata({ topics: existing });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: existing.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ['retention.ms', 'cleanup.policy'],
        })),
      });
      return names.map((name): TopicState => {
        const topic = metadata.topics.find((t) => t.name === name);
        if (!topic) return { name, exists: false };
        const entries = configs.resources.find((r) => r.resourceName === name)?.configEntries ?? [];
        const config = (key: string) => entries.find((e) => e.configName === key)?.configValue;
        return {
          name,
          exists: true,
          partitions: topic.partitions.length,
          replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
          ...(config('retention.ms') !== undefined && { retentionMs: config('retention.ms') }),
          ...(config('cleanup.policy') !== undefined && { cleanupPolicy: config('cleanup.policy') }),
        };
      });
    });
  }

  async close(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    consumers.forEach(([, stopping]) => stopping.abort());
    await Promise.all(consumers.map(([c]) => c.disconnect()));
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer).disconnect();
  }
}

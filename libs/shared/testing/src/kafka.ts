import { randomBytes } from 'node:crypto';
import { normalizeHeaders, type KafkaRecord, topicSpecs } from '@easgate/contracts';
import { type Consumer, Kafka, logLevel } from 'kafkajs';

export function testBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers)
    throw new Error(
      'KAFKA_BROKERS is not set: run medium tests through the jest `medium` project (its global setup provides Kafka)',
    );
  return brokers.split(',');
}

/** A name no other test (or earlier run) uses: topics, groups, client ids. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function testKafka(clientId = uniqueName('test')): Kafka {
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
  return new Kafka({ clientId, brokers: testBrokers(), logLevel: logLevel.NOTHING });
}

export async function createTopics(topics: string[], numPartitions = 1): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates the topics that do not exist yet (subscribing to a missing topic races its auto-creation).
 * A catalogue topic gets its catalogue partition count, as the services provision it: whoever starts
 * first, a test sees production's layout. Any other topic gets `numPartitions` (1 unless told).
 */
export async function ensureTopics(topics: string[], numPartitions?: number): Promise<void> {
  const catalogue = new Map(topicSpecs().map((s) => [s.name, s.partitions]));
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({
          topic,
          numPartitions: numPartitions ?? catalogue.get(topic) ?? 1,
        })),
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export interface ReceivedRecord extends KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
}

/** Reads every record of some topics from the beginning, in a group of its own, into an array. */
export class TopicRecorder {
  readonly records: ReceivedRecord[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(topics: string[]): Promise<TopicRecorder> {
    await ensureTopics(topics);
    const consumer = testKafka().consumer({
      groupId: uniqueName('recorder'),
      sessionTimeout: 6000,
      heartbeatInterval: 500,
    });
    const recorder = new TopicRecorder(consumer);
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        recorder.records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value,
          headers: normalizeHeaders(message.headers),
        });
      },
    });
    await joined;
    return recorder;
  }

  on(topic: string): ReceivedRecord[] {
    return this.records.filter((r) => r.topic === topic);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

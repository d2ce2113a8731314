import { randomBytes } from 'node:crypto';
import { normalizeHeaders } from '@easgate/contracts';
import { type Consumer, Kafka, logLevel } from 'kafkajs';

export interface ReadRecord {
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Reads topics from their beginning in a group of its own. It never creates a topic: a topic the
 * services were meant to provision and did not is reported as missing, not papered over.
 */
export class TopicReader {
  readonly records: ReadRecord[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string, topics: string[]): Promise<TopicReader> {
    const kafka = new Kafka({
      clientId: 'e2e-reader',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0)
        throw new Error(`topics not provisioned by the services: ${missing.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({
      groupId: `e2e-reader-${randomBytes(4).toString('hex')}`,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    const reader = new TopicReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = normalizeHeaders(message.headers);
        reader.records.push({
          topic,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
          headers,
        });
      },
    });
    return reader;
  }

  on(topic: string): ReadRecord[] {
    return this.records.filter((r) => r.topic === topic);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

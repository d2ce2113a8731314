import { type CloudEvent, encodeStructured, type MdmComplianceV1, Topics } from '@easgate/contracts';
import { Kafka, logLevel, type Producer } from 'kafkajs';

/** Publishes MDM events as an MDM does: to the compliance topic, which it does not create. */
export class KafkaMdmSender {
  private constructor(private readonly producer: Producer) {}

  static async connect(brokers: string): Promise<KafkaMdmSender> {
    process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
    const producer = new Kafka({
      clientId: 'e2e-mdm',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 300 },
    }).producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return new KafkaMdmSender(producer);
  }

  async send(events: CloudEvent<MdmComplianceV1>[], batch = 250): Promise<void> {
    for (let i = 0; i < events.length; i += batch) {
      await this.producer.send({
        topic: Topics.MdmCompliance,
        acks: -1,
        messages: events.slice(i, i + batch).map((event) => {
          const record = encodeStructured(event, event.subject ?? null);
          return { key: record.key, value: record.value, headers: record.headers };
        }),
      });
    }
  }

  /** Raw records (poison messages) to any topic. */
  async sendRaw(topic: string, messages: { key: string; value: string; headers?: Record<string, string> }[]) {
    await this.producer.send({ topic, acks: -1, messages });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** `POST /v1/mdm/events` of the translator, in batches; returns how many events were answered 202. */
export async function postMdmEvents(
  translatorUrl: string,
  apiToken: string,
  events: CloudEvent<MdmComplianceV1>[],
  batch = 25,
): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch);
    const res = await fetch(`${translatorUrl}/v1/mdm/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(slice),
    });
    if (res.status !== 202)
      throw new Error(
        `POST /v1/mdm/events answered ${res.status} after ${accepted} accepted: ${await res.text()}`,
      );
    accepted += slice.length;
  }
  return accepted;
}

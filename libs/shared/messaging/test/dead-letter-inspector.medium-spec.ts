import { createCloudEvent, deadLetterTopicOf, encodeStructured } from '@easgate/contracts';
import { createTopics, TopicRecorder, testBrokers, testKafka, uniqueName, waitFor } from '@easgate/testing';
import {
  DeadLetterInspector,
  deadLetterInspectorFor,
  deadLetterRecord,
  KafkaBus,
  REPLAY_OF_HEADER,
} from '../src';

/** The inspector on a real broker: what `easgate dlq` and each service's dead-letter endpoint read. */
describe(DeadLetterInspector.name, () => {
  const topic = uniqueName('easgate.test.dlq-inspector');
  const bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('inspector') });
  const sut = deadLetterInspectorFor(bus, { KAFKA_BROKERS: testBrokers().join(',') });
  let recorder: TopicRecorder;

  beforeAll(async () => {
    await createTopics([topic, deadLetterTopicOf(topic)], 2);
    recorder = await TopicRecorder.start([topic]);
    const producer = testKafka().producer();
    await producer.connect();
    const dead = ['order-1', 'order-2', 'order-3'].map((subject, i) =>
      deadLetterRecord(
        {
          ...encodeStructured(
            createCloudEvent({
              source: '//test',
              type: 'test.order',
              subject,
              tenant: i === 1 ? 'fabrikam.onmicrosoft.com' : 'contoso.onmicrosoft.com',
              data: {},
            }),
            subject,
          ),
          topic,
          partition: 0,
          offset: String(i),
          timestamp: '0',
        },
        'easgate-test',
        { code: 'INVALID_EVENT', message: 'bad', retriable: false, attempts: 1 },
      ),
    );
    await producer.send({
      topic: deadLetterTopicOf(topic),
      messages: dead.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
    });
    await producer.disconnect();
  }, 60_000);

  afterAll(async () => {
    await recorder.stop();
    await bus.close();
  });

  it('lists every dead letter a Kafka dead-letter topic holds, per tenant, and nothing for a topic never created', async () => {
    const all = await sut.list([topic]);
    const fabrikam = await sut.list([topic], { tenant: 'fabrikam.onmicrosoft.com' });
    const none = await sut.list([uniqueName('easgate.test.never-created')]);

    expect(all.map((e) => e.key).sort()).toEqual(['order-1', 'order-2', 'order-3']);
    expect(all.every((e) => e.code === 'INVALID_EVENT' && e.originalTopic === topic)).toBe(true);
    expect(fabrikam.map((e) => e.key)).toEqual(['order-2']);
    expect(none).toEqual([]);
  }, 60_000);

  it('replays one dead letter back to its Kafka topic, marked with the id it came from', async () => {
    const [chosen] = await sut.list([topic], { tenant: 'fabrikam.onmicrosoft.com' });

    const result = await sut.replay([topic], { ids: [chosen.id] });

    expect(result.replayed.map((e) => e.id)).toEqual([chosen.id]);
    await waitFor('the replayed record on its topic', () => recorder.on(topic).length > 0);
    expect(recorder.on(topic).map((r) => [r.key, r.headers[REPLAY_OF_HEADER]])).toEqual([
      ['order-2', chosen.id],
    ]);
  }, 60_000);
});

import {
  createCloudEvent,
  deadLetterTopicOf,
  encodeBinary,
  encodeStructured,
  STRUCTURED_CONTENT_TYPE,
} from '@easgate/contracts';
import { type RunningService, type ServiceDefinition, startService } from '../src';
import {
  createTestDatabase,
  createTopics,
  type TestDatabase,
  testBrokers,
  testKafka,
  TopicRecorder,
  uniqueName,
  waitFor,
  settle,
} from '@easgate/testing';
import type { Producer } from 'kafkajs';
import { DeadLetterHeaders, KafkaBus } from '@easgate/messaging';
import {
  DeviceStateEntity,
  DeviceStateTable1764100000001,
  deviceStateModule,
  type HandlerProbe,
} from './support/device-state.fixture';

// A NestJS service on the real broker and PostgreSQL, fed by a plain kafkajs producer.
describe('EasgateTransport on Kafka', () => {
  const input = uniqueName('test.device.report');
  const output = uniqueName('test.device.state');
  const probe: HandlerProbe = { attempts: new Map() };
  let db: TestDatabase;
  let bus: KafkaBus;
  let sut: RunningService;
  let producer: Producer;
  let recorder: TopicRecorder;

  const definition: ServiceDefinition = {
    name: 'messaging-test',
    defaultPort: 0,
    entities: [DeviceStateEntity],
    migrations: [DeviceStateTable1764100000001],
    module: () => ({ module: deviceStateModule({ input, output }, probe) }),
  };

  const report = (deviceId: string, state: string, id = uniqueName('evt')) =>
    createCloudEvent({
      id,
      source: '//test/mdm',
      type: 'io.easgate.test.device-report',
      subject: deviceId,
      data: { deviceId, state },
    });

  const stateOf = (deviceId: string) =>
    sut.database.read((m) => m.getRepository(DeviceStateEntity).findOneBy({ deviceId }));

  beforeAll(async () => {
    await createTopics([input, output, deadLetterTopicOf(input)]);
    db = await createTestDatabase();
    bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('messaging-test') });
    sut = await startService(definition, {
      bus,
      databaseUrl: db.url,
      dataDir: ':memory:',
      port: 0,
      apiToken: 'test-token-0123456789',
      consumerGroup: uniqueName('messaging-test'),
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
    });
    recorder = await TopicRecorder.start([output, deadLetterTopicOf(input)]);
    producer = testKafka().producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await recorder?.stop();
    await sut?.close();
    await bus?.close();
    await db?.drop();
  });

  const send = (records: ReturnType<typeof encodeStructured>[]) =>
    producer.send({
      topic: input,
      messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
    });

  it('consumes a structured-mode CloudEvent from a plain kafkajs producer and publishes through the outbox', async () => {
    const event = report('dev-structured', 'compliant');
    await send([encodeStructured(event, 'dev-structured')]);

    await waitFor('the state change', () => stateOf('dev-structured'));
    const published = await waitFor('the outbox event', () =>
      recorder.on(output).find((r) => r.key === 'dev-structured'),
    );
    expect(JSON.parse(published.value!.toString()).id).toBe(`${event.id}/out`);
  });

  it('consumes a binary-mode CloudEvent the same way', async () => {
    await send([encodeBinary(report('dev-binary', 'noncompliant'), 'dev-binary')]);
    const state = await waitFor('the state change', () => stateOf('dev-binary'));
    expect(state.state).toBe('noncompliant');
  });

  it('changes state once when the same message is delivered twice', async () => {
    const event = report('dev-twice', 'compliant');
    await send([encodeStructured(event, 'dev-twice'), encodeStructured(event, 'dev-twice')]);
    const marker = report('dev-twice', 'noncompliant');
    await send([encodeStructured(marker, 'dev-twice')]);

    const state = await waitFor('the marker after the duplicate', async () => {
      const s = await stateOf('dev-twice');
      return s?.state === 'noncompliant' ? s : undefined;
    });
    expect(state.changes).toBe(2);
    await waitFor(
      'both outbox events',
      () => recorder.on(output).filter((r) => r.key === 'dev-twice').length >= 2,
    );
    await settle(300);
    expect(recorder.on(output).filter((r) => r.key === 'dev-twice')).toHaveLength(2);
  });

  it('dead-letters a message that always fails after the bounded retries, and goes on with the ones behind it', async () => {
    const poison = report('dev-poison', 'poison');
    const behind = report('dev-behind', 'compliant');
    await send([encodeStructured(poison, 'same-key'), encodeStructured(behind, 'same-key')]);

    const dead = await waitFor('the dead letter', () =>
      recorder
        .on(deadLetterTopicOf(input))
        .find((r) => r.headers[DeadLetterHeaders.ErrorCode] === 'TEST_ALWAYS_FAILS'),
    );
    expect(dead.key).toBe('same-key');
    expect(JSON.parse(dead.value!.toString()).id).toBe(poison.id);
    expect(dead.headers[DeadLetterHeaders.Reason]).toBe('device dev-poison cannot be handled');
    expect(dead.headers[DeadLetterHeaders.Attempts]).toBe('3');
    expect(dead.headers[DeadLetterHeaders.OriginalTopic]).toBe(input);
    expect(dead.headers['content-type']).toBe(STRUCTURED_CONTENT_TYPE);
    expect(probe.attempts.get(poison.id)).toBe(3);
    await waitFor('the message behind the poison one', () => stateOf('dev-behind'));
  });

  it('dead-letters a malformed CloudEvent at once with a clear reason', async () => {
    await producer.send({ topic: input, messages: [{ key: 'bad-1', value: '{"deviceId":"x"}' }] });
    const bad = report('dev-bad-data', 'compliant');
    await send([encodeStructured({ ...bad, data: { deviceId: '', state: 'lost' } }, 'bad-2')]);

    const notCloudEvent = await waitFor('the non-CloudEvent dead letter', () =>
      recorder.on(deadLetterTopicOf(input)).find((r) => r.key === 'bad-1'),
    );
    expect(notCloudEvent.headers[DeadLetterHeaders.ErrorCode]).toBe('EVENT_NOT_CLOUDEVENT');
    expect(notCloudEvent.headers[DeadLetterHeaders.Attempts]).toBe('0');
    const invalidData = await waitFor('the invalid-data dead letter', () =>
      recorder.on(deadLetterTopicOf(input)).find((r) => r.key === 'bad-2'),
    );
    expect(invalidData.headers[DeadLetterHeaders.ErrorCode]).toBe('EVENT_INVALID_DATA');
    expect(invalidData.headers[DeadLetterHeaders.Reason]).toContain('data.deviceId');
    expect(invalidData.headers[DeadLetterHeaders.Reason]).toContain('data.state');
    expect(probe.attempts.has(bad.id)).toBe(false);
  });

  it('answers its health endpoint on the database it runs on, the outbox drained', async () => {
    // The relay publishes after commit, so the last state change's event may still be queued
    // when this runs: the backlog is polled until the relay has emptied it.
    const health = await waitFor('an empty outbox backlog', async () => {
      const res = await fetch(`${sut.url}/health/ready`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { outboxBacklog?: number };
      return body.outboxBacklog === 0 ? body : undefined;
    });
    expect(health).toMatchObject({ status: 'ok', database: 'postgres', outboxBacklog: 0 });
    await waitFor('the last queued event on the topic', () =>
      recorder.on(output).find((r) => r.key === 'dev-behind'),
    );
  });

  it('refuses its API without the token, with a code and a message', async () => {
    const res = await fetch(`${sut.url}/docs/openapi.json`);
    expect(res.status).toBe(200);
    const anonymous = await fetch(`${sut.url}/devices/dev-structured`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('credential'),
    });

    const auth = { headers: { authorization: 'Bearer test-token-0123456789' } };
    const found = await fetch(`${sut.url}/devices/dev-structured`, auth);
    expect(found.status).toBe(200);
    const unknown = await fetch(`${sut.url}/devices/nope`, auth);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ code: 'DEVICE_NOT_FOUND', message: 'no device nope' });
  });
});

import { createCloudEvent, deadLetterTopicOf, encodeStructured } from '@easgate/contracts';
import { deadLetterRecord } from './dead-letter';
import { DeadLetterInspector, inProcessDeadLetterStore, REPLAY_OF_HEADER } from './dead-letter-inspector';
import { InProcessBus } from './transport/in-process-bus';

const TOPIC = 'easgate.test.orders.v1';

function anEvent(tenant: string, subject: string) {
  return encodeStructured(
    createCloudEvent({ source: '//test', type: 'test.order', subject, tenant, data: { subject } }),
    subject,
  );
}

/** Dead-letters `record` as the delivery pipeline does, at `failedAt`. */
async function deadLetter(bus: InProcessBus, record: ReturnType<typeof anEvent>, code: string) {
  const dead = deadLetterRecord(
    { ...record, topic: TOPIC, partition: 0, offset: '7', timestamp: '0' },
    'easgate-test',
    { code, message: `${code} happened`, retriable: false, attempts: 3 },
  );
  await bus.publisher().publish(deadLetterTopicOf(TOPIC), [dead]);
}

describe(DeadLetterInspector.name, () => {
  let bus: InProcessBus;
  let sut: DeadLetterInspector;
  beforeEach(() => {
    bus = new InProcessBus(1);
    sut = new DeadLetterInspector(inProcessDeadLetterStore(bus), bus.publisher());
  });
  afterEach(() => bus.close());

  it('lists dead letters with their code, reason, attempts, key and tenant, newest first', async () => {
    await deadLetter(bus, anEvent('contoso.onmicrosoft.com', 'order-1'), 'INVALID_EVENT');
    await deadLetter(bus, anEvent('fabrikam.onmicrosoft.com', 'order-2'), 'UNKNOWN_MAILBOX');

    const listed = await sut.list([TOPIC]);

    expect(listed).toHaveLength(2);
    expect(listed.map((e) => e.id).sort()).toEqual([`${TOPIC}.dlq:0:0`, `${TOPIC}.dlq:0:1`]);
    expect(listed.find((e) => e.key === 'order-1')).toMatchObject({
      originalTopic: TOPIC,
      tenant: 'contoso.onmicrosoft.com',
      eventType: 'test.order',
      code: 'INVALID_EVENT',
      reason: 'INVALID_EVENT happened',
      attempts: 3,
      retriable: false,
      consumerGroup: 'easgate-test',
    });
    expect(listed[0].failedAt! >= listed[1].failedAt!).toBe(true);
  });

  it("lists only the tenant's dead letters when a tenant is asked for (case-insensitive), never one of no tenant", async () => {
    await deadLetter(bus, anEvent('contoso.onmicrosoft.com', 'order-1'), 'INVALID_EVENT');
    await deadLetter(bus, anEvent('fabrikam.onmicrosoft.com', 'order-2'), 'INVALID_EVENT');
    await deadLetter(
      bus,
      { key: 'poison', value: Buffer.from('{not json'), headers: {} },
      'NOT_A_CLOUDEVENT',
    );

    const contoso = await sut.list([TOPIC], { tenant: 'Contoso.onmicrosoft.com' });

    expect(contoso.map((e) => e.key)).toEqual(['order-1']);
    expect((await sut.list([TOPIC])).map((e) => e.key).sort()).toEqual(['order-1', 'order-2', 'poison']);
  });

  it('replays one dead letter to its original topic without the dead-letter headers, marked with its id', async () => {
    await deadLetter(bus, anEvent('contoso.onmicrosoft.com', 'order-1'), 'INVALID_EVENT');
    await deadLetter(bus, anEvent('contoso.onmicrosoft.com', 'order-2'), 'INVALID_EVENT');
    // Listed newest first: pick order-2 by its key, whatever millisecond each was dead-lettered in.
    const second = (await sut.list([TOPIC])).find((e) => e.key === 'order-2')!;

    const result = await sut.replay([TOPIC], { ids: [second.id, `${TOPIC}.dlq:0:99`] });

    expect(result.replayed.map((e) => e.id)).toEqual([second.id]);
    expect(result.missing).toEqual([`${TOPIC}.dlq:0:99`]);
    const back = bus.read(TOPIC);
    expect(back).toHaveLength(1);
    expect(back[0].key).toBe(second.key);
    expect(back[0].headers[REPLAY_OF_HEADER]).toBe(second.id);
    expect(Object.keys(back[0].headers).filter((h) => h.startsWith('x-easgate-dlq-'))).toEqual([]);
    expect(back[0].value?.toString()).toBe(bus.read(deadLetterTopicOf(TOPIC))[1].value?.toString());
  });

  it("replays every dead letter of a tenant, and refuses ids of another tenant's as missing", async () => {
    await deadLetter(bus, anEvent('contoso.onmicrosoft.com', 'order-1'), 'INVALID_EVENT');
    await deadLetter(bus, anEvent('fabrikam.onmicrosoft.com', 'order-2'), 'INVALID_EVENT');
    await deadLetter(bus, anEvent('contoso.onmicrosoft.com', 'order-3'), 'INVALID_EVENT');
    const fabrikam = (await sut.list([TOPIC], { tenant: 'fabrikam.onmicrosoft.com' }))[0];

    const all = await sut.replay([TOPIC], { tenant: 'contoso.onmicrosoft.com' });
    const foreign = await sut.replay([TOPIC], { tenant: 'contoso.onmicrosoft.com', ids: [fabrikam.id] });

    expect(all.replayed.map((e) => e.key)).toEqual(['order-1', 'order-3']);
    expect(bus.read(TOPIC).map((r) => r.key)).toEqual(['order-1', 'order-3']);
    expect(foreign).toEqual({ replayed: [], missing: [fabrikam.id] });
  });

  it('replays "all" once: a second replay of the same scope sends only what died since, and the list marks what was replayed', async () => {
    await deadLetter(bus, anEvent('contoso.onmicrosoft.com', 'order-1'), 'INVALID_EVENT');
    const first = await sut.replay([TOPIC], { tenant: 'contoso.onmicrosoft.com' });
    await deadLetter(bus, anEvent('contoso.onmicrosoft.com', 'order-2'), 'INVALID_EVENT');

    const second = await sut.replay([TOPIC], { tenant: 'contoso.onmicrosoft.com' });
    const third = await sut.replay([TOPIC], { tenant: 'contoso.onmicrosoft.com' });

    expect([first, second, third].map((r) => r.replayed.map((e) => e.key))).toEqual([
      ['order-1'],
      ['order-2'],
      [],
    ]);
    expect((await sut.list([TOPIC], { tenant: 'contoso.onmicrosoft.com' })).map((e) => e.replayed)).toEqual([
      true,
      true,
    ]);
    expect((await sut.list([TOPIC])).map((e) => e.replayed)).toEqual([false, false]);
  });

  it("keeps to one consumer group's dead letters when asked (a topic two services consume holds both)", async () => {
    await deadLetter(bus, anEvent('contoso.onmicrosoft.com', 'order-1'), 'INVALID_EVENT');

    expect(await sut.list([TOPIC], { consumerGroup: 'easgate-other' })).toEqual([]);
    expect(await sut.list([TOPIC], { consumerGroup: 'easgate-test' })).toHaveLength(1);
  });
});

import { createCloudEvent, EasgateError, encodeStructured } from '@easgate/contracts';
import { DeadLetterHeaders } from './dead-letter';
import { type BatchEventHandler, DeliveryPipeline } from './delivery';
import { createLogger } from './logger';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import { InProcessBus } from './transport/in-process-bus';
import type { IncomingMessage } from './transport/message';

const fastRetry = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

function aMessage(n: number): IncomingMessage {
  return {
    ...encodeStructured(
      createCloudEvent({ id: `e-${n}`, source: '//test', type: 'io.easgate.test', data: { n } }),
      `key-${n}`,
    ),
    topic: 'in',
    partition: 0,
    offset: String(n),
    timestamp: '0',
  };
}

const messages = (count: number) => Array.from({ length: count }, (_, i) => aMessage(i));
const numbersOf = (events: { data: unknown }[]) => events.map((e) => (e.data as { n: number }).n);

/** A handler that keeps what a successful call handled, like a transaction: all of it or nothing. */
function committing(fails: (n: number[]) => Error | undefined) {
  const committed: number[] = [];
  let calls = 0;
  const handler: BatchEventHandler = async (events) => {
    calls++;
    const ns = numbersOf(events);
    const error = fails(ns);
    if (error) throw error;
    committed.push(...ns);
  };
  return { handler, committed, calls: () => calls };
}

function pipelineWith(handler: BatchEventHandler) {
  const bus = new InProcessBus(1);
  const sut = new DeliveryPipeline(
    'group-1',
    new Map(),
    bus.publisher(),
    createLogger('test'),
    fastRetry,
    undefined,
    new Map([['in', handler]]),
  );
  return { sut, deadLetters: () => bus.read('in.dlq') };
}

describe(`${DeliveryPipeline.name} (batches)`, () => {
  it('hands the whole batch, decoded and in order, to the batch handler in one call', async () => {
    const { handler, committed, calls } = committing(() => undefined);
    const { sut, deadLetters } = pipelineWith(handler);
    await sut.deliverBatch(messages(10));
    expect(calls()).toBe(1);
    expect(committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(deadLetters()).toHaveLength(0);
  });

  it('dead-letters a poison message alone with its reason and handles every other message once, in order', async () => {
    const { handler, committed } = committing((ns) =>
      ns.includes(13) ? new EasgateError('POISON', 'message 13 is poison') : undefined,
    );
    const { sut, deadLetters } = pipelineWith(handler);
    await sut.deliverBatch(messages(40));
    expect(committed).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((n) => n !== 13));
    const dead = deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0].key).toBe('key-13');
    expect(dead[0].headers).toMatchObject({
      [DeadLetterHeaders.ErrorCode]: 'POISON',
      [DeadLetterHeaders.Reason]: 'message 13 is poison',
      [DeadLetterHeaders.OriginalOffset]: '13',
    });
  });

  it('isolates two poison messages of one batch, each in its own dead letter', async () => {
    const { handler, committed } = committing((ns) =>
      ns.includes(2) || ns.includes(7) ? new EasgateError('POISON', 'no') : undefined,
    );
    const { sut, deadLetters } = pipelineWith(handler);
    await sut.deliverBatch(messages(9));
    expect(committed).toEqual([0, 1, 3, 4, 5, 6, 8]);
    expect(deadLetters().map((d) => d.key)).toEqual(['key-2', 'key-7']);
  });

  it('dead-letters an undecodable message alone without showing it to the handler', async () => {
    const { handler, committed } = committing(() => undefined);
    const { sut, deadLetters } = pipelineWith(handler);
    const batch = messages(3);
    batch[1] = { ...batch[1], value: Buffer.from('not json'), headers: { 'content-type': 'text/plain' } };
    await sut.deliverBatch(batch);
    expect(committed).toEqual([0, 2]);
    expect(deadLetters().map((d) => d.key)).toEqual(['key-1']);
  });

  it('retries a message whose failure is retriable once isolated, and keeps it when it then passes', async () => {
    let flaky = 2;
    const { handler, committed } = committing((ns) =>
      ns.includes(3) && flaky-- > 0 ? new EasgateError('FLAKY', 'try again', true) : undefined,
    );
    const { sut, deadLetters } = pipelineWith(handler);
    await sut.deliverBatch(messages(4));
    expect([...committed].sort()).toEqual([0, 1, 2, 3]);
    expect(deadLetters()).toHaveLength(0);
  });

  it('waits out an infrastructure failure with the whole batch and never dead-letters', async () => {
    let outage = 3;
    const { handler, committed, calls } = committing(() =>
      outage-- > 0
        ? Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
        : undefined,
    );
    const bus = new InProcessBus(1);
    const sut = new DeliveryPipeline(
      'group-1',
      new Map(),
      bus.publisher(),
      createLogger('test'),
      { ...fastRetry, initialDelayMs: 1, maxDelayMs: 1 },
      undefined,
      new Map([['in', handler]]),
    );
    await sut.deliverBatch(messages(6));
    expect(calls()).toBe(4);
    expect(committed).toEqual([0, 1, 2, 3, 4, 5]);
    expect(bus.read('in.dlq')).toHaveLength(0);
  });

  it('retries a batch that lost a deadlock whole instead of bisecting it', async () => {
    let deadlocks = 1;
    const { handler, committed, calls } = committing(() =>
      deadlocks-- > 0 ? Object.assign(new Error('deadlock detected'), { code: '40P01' }) : undefined,
    );
    const { sut, deadLetters } = pipelineWith(handler);
    await sut.deliverBatch(messages(8));
    expect(calls()).toBe(2);
    expect(committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(deadLetters()).toHaveLength(0);
  });

  it('delivers a topic without a batch handler one message at a time through its one-message handler', async () => {
    const bus = new InProcessBus(1);
    const seen: number[][] = [];
    const sut = new DeliveryPipeline(
      'group-1',
      new Map([['in', async (event) => void seen.push(numbersOf([event]))]]),
      bus.publisher(),
      createLogger('test'),
      fastRetry,
    );
    await sut.deliverBatch(messages(3));
    expect(seen).toEqual([[0], [1], [2]]);
  });
});

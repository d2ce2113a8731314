import { createCloudEvent, EasgateError, encodeStructured } from '@easgate/contracts';
import { DeadLetterHeaders, replayRecord } from './dead-letter';
import { DeliveryPipeline, type EventHandler } from './delivery';
import { createLogger } from './logger';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from './retry-policy';
import { InProcessBus } from './transport/in-process-bus';
import type { IncomingMessage } from './transport/message';

const fastRetry = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };
const message = (overrides: Partial<IncomingMessage> = {}): IncomingMessage => ({
  ...encodeStructured(
    createCloudEvent({ source: '//test', type: 'io.easgate.test', data: { n: 1 } }),
    'key-1',
  ),
  topic: 'in',
  partition: 0,
  offset: '7',
  timestamp: '0',
  ...overrides,
});

function pipelineWith(handler: EventHandler) {
  const bus = new InProcessBus(1);
  const sut = new DeliveryPipeline(
    'group-1',
    new Map([['in', handler]]),
    bus.publisher(),
    createLogger('test'),
    fastRetry,
  );
  return { sut, deadLetters: () => bus.read('in.dlq') };
}

describe(DeliveryPipeline.name, () => {
  it('hands a decoded CloudEvent to the handler of its topic', async () => {
    const seen: unknown[] = [];
    const { sut, deadLetters } = pipelineWith(async (event) => void seen.push(event.data));
    await sut.deliver(message());
    expect(seen).toEqual([{ n: 1 }]);
    expect(deadLetters()).toHaveLength(0);
  });

  it('retries a retriable failure and succeeds without a dead letter', async () => {
    let calls = 0;
    const { sut, deadLetters } = pipelineWith(async () => {
      if (++calls < 3) throw new EasgateError('FLAKY', 'try again', true);
    });
    await sut.deliver(message());
    expect(calls).toBe(3);
    expect(deadLetters()).toHaveLength(0);
  });

  it('dead-letters a non-retriable failure at the first attempt, with the original record and the reason', async () => {
    let calls = 0;
    const { sut, deadLetters } = pipelineWith(async () => {
      calls++;
      throw new EasgateError('RULE_BROKEN', 'the rule says no');
    });
    const original = message();
    await sut.deliver(original);
    expect(calls).toBe(1);
    const [dead] = deadLetters();
    expect(dead.key).toBe('key-1');
    expect(dead.value).toEqual(original.value);
    expect(dead.headers).toMatchObject({
      'content-type': original.headers['content-type'],
      [DeadLetterHeaders.ErrorCode]: 'RULE_BROKEN',
      [DeadLetterHeaders.Reason]: 'the rule says no',
      [DeadLetterHeaders.Retriable]: 'false',
      [DeadLetterHeaders.Attempts]: '1',
      [DeadLetterHeaders.OriginalTopic]: 'in',
      [DeadLetterHeaders.OriginalOffset]: '7',
      [DeadLetterHeaders.ConsumerGroup]: 'group-1',
    });
  });

  it('dead-letters an unknown error after the bounded retries', async () => {
    let calls = 0;
    const { sut, deadLetters } = pipelineWith(async () => {
      calls++;
      throw new Error('connection reset');
    });
    await sut.deliver(message());
    expect(calls).toBe(3);
    expect(deadLetters()[0].headers[DeadLetterHeaders.ErrorCode]).toBe('UNEXPECTED_ERROR');
  });

  it('dead-letters a message of a topic it has no handler for', async () => {
    const bus = new InProcessBus(1);
    const other = new DeliveryPipeline('g', new Map(), bus.publisher(), createLogger('test'), fastRetry);
    await other.deliver(message());
    expect(bus.read('in.dlq')[0].headers[DeadLetterHeaders.ErrorCode]).toBe('NO_HANDLER');
  });

  it('turns a dead letter back into the original record for replay', async () => {
    const { sut, deadLetters } = pipelineWith(async () => {
      throw new EasgateError('X', 'no');
    });
    const original = message();
    await sut.deliver(original);
    const replay = replayRecord(deadLetters()[0]);
    expect(replay).toEqual({
      topic: 'in',
      record: { key: original.key, value: original.value, headers: original.headers },
    });
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially up to the cap, within the jitter', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0.2 };
    expect(retryDelayMs(policy, 1, () => 0.5)).toBe(100);
    expect(retryDelayMs(policy, 3, () => 0.5)).toBe(400);
    expect(retryDelayMs(policy, 10, () => 0.5)).toBe(1000);
    expect(retryDelayMs(policy, 1, () => 0)).toBe(80);
    expect(retryDelayMs(policy, 1, () => 1)).toBe(120);
  });
});

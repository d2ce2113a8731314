import { createCloudEvent, EasgateError, encodeStructured } from '@easgate/contracts';
import { DeadLetterHeaders, replayRecord } from './dead-letter';
import { DeliveryAbandonedError, DeliveryPipeline, type EventHandler } from './delivery';
import { isInfrastructureError } from './infrastructure-error';
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
      throw new Error('unexpected state');
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

/** What node-postgres throws (through TypeORM) when pg_terminate_backend ends the session. */
function terminatedConnection(): Error {
  const driverError = Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
  });
  return Object.assign(new Error('terminating connection due to administrator command'), {
    name: 'QueryFailedError',
    driverError,
  });
}

describe('DeliveryPipeline on infrastructure failures', () => {
  const control = () => {
    const stop = new AbortController();
    let heartbeats = 0;
    return {
      stop,
      heartbeats: () => heartbeats,
      control: {
        heartbeat: async () => void heartbeats++,
        signal: stop.signal,
      },
    };
  };

  it('retries a lost database connection past the attempt bound, keeping the session alive, and never dead-letters it', async () => {
    let calls = 0;
    const { sut, deadLetters } = pipelineWith(async () => {
      if (++calls <= 10) throw terminatedConnection();
    });
    const c = control();
    await sut.deliver(message(), c.control);
    expect(calls).toBe(11);
    expect(c.heartbeats()).toBeGreaterThanOrEqual(10);
    expect(deadLetters()).toHaveLength(0);
  });

  it('does not count infrastructure waits as attempts of the message', async () => {
    const attempts: number[] = [];
    let calls = 0;
    const { sut, deadLetters } = pipelineWith(async (_event, delivery) => {
      attempts.push(delivery.attempt);
      calls++;
      if (calls <= 4)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      throw new EasgateError('RULE_BROKEN', 'the message itself is bad');
    });
    await sut.deliver(message(), control().control);
    expect(attempts).toEqual([1, 1, 1, 1, 1]);
    expect(deadLetters()[0].headers[DeadLetterHeaders.Attempts]).toBe('1');
  });

  it('abandons a message waiting for its database when the consumer stops, so that it is redelivered', async () => {
    const c = control();
    const { sut, deadLetters } = pipelineWith(async () => {
      c.stop.abort();
      throw terminatedConnection();
    });
    await expect(sut.deliver(message(), c.control)).rejects.toBeInstanceOf(DeliveryAbandonedError);
    expect(deadLetters()).toHaveLength(0);
  });

  it("dead-letters a handler's retriable coded error past the bound, whatever caused it", async () => {
    const { sut, deadLetters } = pipelineWith(async () => {
      throw new EasgateError('VAULT_UNAVAILABLE', 'the vault did not answer', true);
    });
    await sut.deliver(message(), control().control);
    expect(deadLetters()[0].headers[DeadLetterHeaders.Attempts]).toBe('3');
  });
});

describe('isInfrastructureError', () => {
  it.each([
    ['a session ended by pg_terminate_backend', terminatedConnection()],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    ['a connection that ended mid-query', new Error('Connection terminated unexpectedly')],
    [
      'a database starting up',
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    ],
    [
      'an unreachable broker',
      Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' }),
    ],
  ])('classifies %s as infrastructure', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(true);
  });

  it.each([
    ['a syntax error', Object.assign(new Error('syntax error at or near "x"'), { code: '42601' })],
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a coded error', new EasgateError('DB_DOWN', 'connection terminated', true)],
  ])('classifies %s as the message’s own failure', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(false);
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

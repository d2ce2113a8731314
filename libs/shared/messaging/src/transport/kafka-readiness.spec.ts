import { createLogger } from '../logger';
import { untilKafkaReady } from './kafka-readiness';

const kafkaError = (message: string) => Object.assign(new Error(message), { name: 'KafkaJSProtocolError' });

function recordingLogger() {
  const logger = createLogger('test');
  const waits: string[] = [];
  logger.warn = ((_obj: unknown, msg: string) => void waits.push(msg)) as typeof logger.warn;
  return { logger, waits };
}

describe(untilKafkaReady.name, () => {
  it('waits through broker errors with one log line per wait, then returns what the step returns', async () => {
    const { logger, waits } = recordingLogger();
    let tries = 0;
    const sut = await untilKafkaReady('consumer group g', { timeoutMs: 10_000, logger }, async () => {
      if (++tries < 3) throw kafkaError('This server does not host this topic-partition');
      return 'joined';
    });
    expect(sut).toBe('joined');
    expect(waits).toEqual([
      'consumer group g: Kafka not ready yet, waiting',
      'consumer group g: Kafka not ready yet, waiting',
    ]);
  });

  it('fails at once on an error that is not the broker’s', async () => {
    const { logger, waits } = recordingLogger();
    await expect(
      untilKafkaReady('topic provisioning', { timeoutMs: 10_000, logger }, () =>
        Promise.reject(new TypeError('a bug')),
      ),
    ).rejects.toThrow('a bug');
    expect(waits).toEqual([]);
  });

  it('gives up after its timeout, naming the setting and the last reason', async () => {
    const { logger } = recordingLogger();
    await expect(
      untilKafkaReady('topic provisioning', { timeoutMs: 100, logger }, () =>
        Promise.reject(kafkaError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')),
      ),
    ).rejects.toThrow(
      'topic provisioning: Kafka not ready after 100 ms (KAFKA_START_TIMEOUT_MS): Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    );
  });
});

import type { Logger } from '../logger';

/** How long a start waits for a broker that is still electing leaders or loading the group coordinator. */
export const DEFAULT_KAFKA_START_TIMEOUT_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** kafkajs errors (connection refused, no leader yet, coordinator loading, unknown partition) pass with time. */
export function isKafkaError(err: unknown): boolean {
  return err instanceof Error && err.name.startsWith('KafkaJS');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `step` until it succeeds, waiting between tries while the broker is not ready (a kafkajs
 * error), with one log line per wait. Any other error, or the deadline passed, throws: the start
 * fails with one clear reason instead of exiting on the first metadata error.
 */
export async function untilKafkaReady<T>(
  what: string,
  options: { timeoutMs: number; logger: Logger },
  step: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (let wait = 1; ; wait++) {
    try {
      return await step();
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      const retryInMs = Math.min(2_000, 250 * 2 ** Math.min(wait - 1, 3));
      if (Date.now() + retryInMs > deadline)
        throw new Error(
          `${what}: Kafka not ready after ${options.timeoutMs} ms (KAFKA_START_TIMEOUT_MS): ${errorMessage(err)}`,
        );
      options.logger.warn(
        { wait, retryInMs, reason: errorMessage(err) },
        `${what}: Kafka not ready yet, waiting`,
      );
      await sleep(retryInMs);
    }
  }
}

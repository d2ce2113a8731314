import { join } from 'node:path';
import { kafkaSecurityFromEnv } from './kafka-security';
import { InProcessBus } from './transport/in-process-bus';
import { KafkaBus } from './transport/kafka-bus';
import type { MessageBus } from './transport/message';

export interface BusFromEnvOptions {
  /**
   * Where the in-process bus keeps its durable log (`<dataDir>/bus.sqlite`). Without it the
   * in-process bus is memory only and loses what it holds when the process ends.
   */
  dataDir?: string;
}

/** KAFKA_BROKERS as a list (empty when unset). */
export function kafkaBrokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** The Kafka bus of KAFKA_BROKERS; KAFKA_START_TIMEOUT_MS bounds how long a start waits for the broker. */
export function kafkaBusFromEnv(clientId: string, env: NodeJS.ProcessEnv = process.env): KafkaBus {
  const brokers = kafkaBrokersFromEnv(env);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is required (host:port[,host:port…])');
  const timeout = env['KAFKA_START_TIMEOUT_MS'];
  return new KafkaBus({
    brokers,
    clientId,
    kafka: kafkaSecurityFromEnv(env),
    ...(timeout !== undefined && timeout !== '' && { startTimeoutMs: Number(timeout) }),
  });
}

/** KAFKA_BROKERS set → Kafka; otherwise the in-process bus (the embedded default of `easgate start` only). */
export function busFromEnv(
  clientId: string,
  env: NodeJS.ProcessEnv = process.env,
  options: BusFromEnvOptions = {},
): MessageBus {
  if (kafkaBrokersFromEnv(env).length > 0) return kafkaBusFromEnv(clientId, env);
  return options.dataDir !== undefined
    ? InProcessBus.durable(join(options.dataDir, 'bus.sqlite'))
    : new InProcessBus();
}

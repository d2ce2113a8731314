import { join } from 'node:path';
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

/** KAFKA_BROKERS set → Kafka; otherwise the in-process bus (the embedded default). */
export function busFromEnv(
  clientId: string,
  env: NodeJS.ProcessEnv = process.env,
  options: BusFromEnvOptions = {},
): MessageBus {
  const brokers = env['KAFKA_BROKERS']
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers && brokers.length > 0) return new KafkaBus({ brokers, clientId });
  return options.dataDir !== undefined
    ? InProcessBus.durable(join(options.dataDir, 'bus.sqlite'))
    : new InProcessBus();
}

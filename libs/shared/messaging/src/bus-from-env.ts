import { kafkaSecurityFromEnv } from './kafka-security';
import { InProcessBus } from './transport/in-process-bus';
import { KafkaBus } from './transport/kafka-bus';
import type { MessageBus } from './transport/message';

/** KAFKA_BROKERS set → Kafka (TLS and SASL from KAFKA_SSL…, KAFKA_SASL…); otherwise the in-process bus. */
export function busFromEnv(clientId: string, env: NodeJS.ProcessEnv = process.env): MessageBus {
  const brokers = env['KAFKA_BROKERS']
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return brokers && brokers.length > 0
    ? new KafkaBus({ brokers, clientId, kafka: kafkaSecurityFromEnv(env) })
    : new InProcessBus();
}

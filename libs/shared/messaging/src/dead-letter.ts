import { deadLetterTopicOf, type KafkaRecord } from '@easgate/contracts';
import type { IncomingMessage } from './transport/message';

/** Headers added to a dead letter, beside the original key, value and headers. */
export const DeadLetterHeaders = {
  ErrorCode: 'x-easgate-dlq-error-code',
  Reason: 'x-easgate-dlq-reason',
  Retriable: 'x-easgate-dlq-retriable',
  Attempts: 'x-easgate-dlq-attempts',
  OriginalTopic: 'x-easgate-dlq-original-topic',
  OriginalPartition: 'x-easgate-dlq-original-partition',
  OriginalOffset: 'x-easgate-dlq-original-offset',
  ConsumerGroup: 'x-easgate-dlq-consumer-group',
  FailedAt: 'x-easgate-dlq-failed-at',
} as const;

export interface DeadLetterReason {
  code: string;
  message: string;
  retriable: boolean;
  attempts: number;
}

export function deadLetterRecord(
  message: IncomingMessage,
  groupId: string,
  reason: DeadLetterReason,
): KafkaRecord {
  const dead = deadLetterOf(message, { topic: message.topic, groupId }, reason);
  return {
    ...dead,
    headers: {
      ...dead.headers,
      [DeadLetterHeaders.OriginalPartition]: String(message.partition),
      [DeadLetterHeaders.OriginalOffset]: message.offset,
    },
  };
}

/**
 * The dead letter of a record a service decided later cannot succeed (after it was consumed and
 * acknowledged, e.g. a queued command that failed for good): the record as it came in, plus the
 * same reason and origin headers as the delivery pipeline's, without a partition or offset.
 */
export function deadLetterOf(
  record: KafkaRecord,
  origin: { topic: string; groupId: string },
  reason: DeadLetterReason,
): KafkaRecord {
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DeadLetterHeaders.ErrorCode]: reason.code,
      // Header values must stay readable and bounded.
      [DeadLetterHeaders.Reason]: reason.message.slice(0, 2000),
      [DeadLetterHeaders.Retriable]: String(reason.retriable),
      [DeadLetterHeaders.Attempts]: String(reason.attempts),
      [DeadLetterHeaders.OriginalTopic]: origin.topic,
      [DeadLetterHeaders.ConsumerGroup]: origin.groupId,
      [DeadLetterHeaders.FailedAt]: new Date().toISOString(),
    },
  };
}

export { deadLetterTopicOf };

/** Strips the dead-letter headers: what replaying a dead letter publishes back to its topic. */
export function replayRecord(deadLetter: KafkaRecord): { topic: string; record: KafkaRecord } {
  const topic = deadLetter.headers[DeadLetterHeaders.OriginalTopic];
  if (!topic) throw new Error('not a dead letter: no original topic header');
  const headers = Object.fromEntries(
    Object.entries(deadLetter.headers).filter(([name]) => !name.startsWith('x-easgate-dlq-')),
  );
  return { topic, record: { key: deadLetter.key, value: deadLetter.value, headers } };
}

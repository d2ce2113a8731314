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
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [DeadLetterHeaders.ErrorCode]: reason.code,
      // Header values must stay readable and bounded.
      [DeadLetterHeaders.Reason]: reason.message.slice(0, 2000),
      [DeadLetterHeaders.Retriable]: String(reason.retriable),
      [DeadLetterHeaders.Attempts]: String(reason.attempts),
      [DeadLetterHeaders.OriginalTopic]: message.topic,
      [DeadLetterHeaders.OriginalPartition]: String(message.partition),
      [DeadLetterHeaders.OriginalOffset]: message.offset,
      [DeadLetterHeaders.ConsumerGroup]: groupId,
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

import { deadLetterTopicOf, isDeadLetterTopic, normalizeHeaders } from '@easgate/contracts';
import { DeadLetterHeaders, replayRecord } from '@easgate/messaging';
import type { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';

interface DlqOptions {
  topic: string;
  brokers?: string;
  max: string;
  json?: boolean;
  idleMs: string;
}

function kafkaFrom(options: DlqOptions): Kafka {
  const brokers = (options.brokers ?? process.env['KAFKA_BROKERS'] ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) throw new Error('no Kafka brokers: pass --brokers or set KAFKA_BROKERS');
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
  return new Kafka({ clientId: 'easgate-cli', brokers, logLevel: logLevel.ERROR });
}

/**
 * Reads dead letters of `topic` in the consumer group `group`, calling `each` for each one, until
 * `max` were read or nothing new came for `idleMs`. Offsets are committed after `each`, so a
 * dead letter is replayed once by the replay group.
 */
async function readDeadLetters(
  kafka: Kafka,
  options: DlqOptions,
  group: string,
  commit: boolean,
  each: (record: ReturnType<typeof replayRecord> & { headers: Record<string, string> }) => Promise<void>,
): Promise<number> {
  const dlq = isDeadLetterTopic(options.topic) ? options.topic : deadLetterTopicOf(options.topic);
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000 });
  const max = Number(options.max);
  let count = 0;
  let last = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [dlq], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      if (count >= max) return;
      const headers = normalizeHeaders(message.headers);
      const record = { key: message.key?.toString('utf8') ?? null, value: message.value, headers };
      await each({ ...replayRecord(record), headers });
      count++;
      last = Date.now();
      if (commit)
        await consumer.commitOffsets([
          { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
    },
  });
  while (count < max && Date.now() - last < Number(options.idleMs))
    await new Promise((r) => setTimeout(r, 200));
  await consumer.disconnect();
  return count;
}

export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description('inspect and replay dead letters (<topic>.dlq) on Kafka');
  const common = (c: Command) =>
    c
      .requiredOption('--topic <topic>', 'the original topic (or its .dlq)')
      .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS)')
      .option('--max <n>', 'stop after this many dead letters', '1000')
      .option('--idle-ms <ms>', 'stop when nothing new arrives for this long', '3000');

  common(dlq.command('list').description('print dead letters with their reason (reads, commits nothing)'))
    .option('--json', 'one JSON object per line')
    .action(async (options: DlqOptions) => {
      const kafka = kafkaFrom(options);
      await readDeadLetters(
        kafka,
        options,
        `easgate-dlq-list-${Date.now()}`,
        false,
        async ({ topic, record, headers }) => {
          const entry = {
            originalTopic: topic,
            key: record.key,
            code: headers[DeadLetterHeaders.ErrorCode],
            reason: headers[DeadLetterHeaders.Reason],
            attempts: Number(headers[DeadLetterHeaders.Attempts]),
            failedAt: headers[DeadLetterHeaders.FailedAt],
            consumerGroup: headers[DeadLetterHeaders.ConsumerGroup],
            originalOffset: headers[DeadLetterHeaders.OriginalOffset],
          };
          console.log(
            options.json
              ? JSON.stringify(entry)
              : `${entry.failedAt} ${entry.code} key=${entry.key} ${entry.reason}`,
          );
        },
      );
    });

  common(
    dlq.command('replay').description('publish dead letters back to their original topic, once each'),
  ).action(async (options: DlqOptions) => {
    const kafka = kafkaFrom(options);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const replayed = await readDeadLetters(
        kafka,
        options,
        'easgate-dlq-replay',
        true,
        async ({ topic, record }) => {
          await producer.send({
            topic,
            messages: [{ key: record.key, value: record.value, headers: record.headers }],
          });
        },
      );
      console.log(`replayed ${replayed} dead letter(s)`);
    } finally {
      await producer.disconnect();
    }
  });
}

import { DEAD_LETTER_SUFFIX, isDeadLetterTopic } from '@easgate/contracts';
import {
  DeadLetterInspector,
  type DeadLetterEntry,
  deadLetterKafkaFromEnv,
  kafkaDeadLetterStore,
  kafkaBusFromEnv,
} from '@easgate/messaging';
import type { Command } from 'commander';

interface DlqOptions {
  topic: string;
  brokers?: string;
  tenant?: string;
  group?: string;
  id?: string[];
  max: string;
  json?: boolean;
}

/**
 * The same {@link DeadLetterInspector} as each service's `/v1/dead-letters` endpoint, on the Kafka of
 * --brokers or KAFKA_BROKERS (the embedded bus of `easgate start` is read through the console or its API).
 */
function inspectorFrom(options: DlqOptions): { inspector: DeadLetterInspector; close: () => Promise<void> } {
  const env = { ...process.env, ...(options.brokers && { KAFKA_BROKERS: options.brokers }) };
  if (!env['KAFKA_BROKERS']) throw new Error('no Kafka brokers: pass --brokers or set KAFKA_BROKERS');
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
  const bus = kafkaBusFromEnv('easgate-cli', env);
  const inspector = new DeadLetterInspector(
    kafkaDeadLetterStore(deadLetterKafkaFromEnv(env, 'easgate-cli')),
    bus.publisher(),
  );
  return { inspector, close: () => bus.close() };
}

function originalTopicOf(topic: string): string {
  return isDeadLetterTopic(topic) ? topic.slice(0, -DEAD_LETTER_SUFFIX.length) : topic;
}

function scopeOf(options: DlqOptions): { tenant?: string; consumerGroup?: string } {
  return {
    ...(options.tenant && { tenant: options.tenant }),
    ...(options.group && { consumerGroup: options.group }),
  };
}

function line(entry: DeadLetterEntry): string {
  return `${entry.failedAt ?? '-'} ${entry.replayed ? 'replayed' : 'waiting'} ${entry.id} ${entry.code ?? '-'} key=${entry.key ?? '-'} tenant=${entry.tenant ?? '-'} ${entry.reason ?? ''}`;
}

export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description(
      "inspect and replay dead letters (<topic>.dlq) on Kafka, as the services' /v1/dead-letters do",
    );
  const common = (c: Command) =>
    c
      .requiredOption('--topic <topic>', 'the original topic (or its .dlq)')
      .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS)')
      .option('--tenant <tenant>', "only this tenant's dead letters")
      .option(
        '--group <consumer group>',
        'only the dead letters of this consumer group (e.g. easgate-alerting)',
      );

  common(
    dlq.command('list').description('print dead letters with their reason, newest first (changes nothing)'),
  )
    .option('--max <n>', 'print at most this many', '1000')
    .option('--json', 'one JSON object per line')
    .action(async (options: DlqOptions) => {
      const { inspector, close } = inspectorFrom(options);
      try {
        const entries = await inspector.list([originalTopicOf(options.topic)], {
          limit: Number(options.max),
          ...scopeOf(options),
        });
        for (const entry of entries) console.log(options.json ? JSON.stringify(entry) : line(entry));
      } finally {
        await close();
      }
    });

  common(
    dlq
      .command('replay')
      .description(
        'publish dead letters back to their original topic: those named by --id, else every one not replayed yet (once each)',
      ),
  )
    .option('--id <id...>', 'the dead letters to replay (<topic>.dlq:<partition>:<offset>, from `dlq list`)')
    .action(async (options: DlqOptions) => {
      const { inspector, close } = inspectorFrom(options);
      try {
        const result = await inspector.replay([originalTopicOf(options.topic)], {
          ...(options.id && { ids: options.id }),
          ...scopeOf(options),
        });
        console.log(`replayed ${result.replayed.length} dead letter(s)`);
        if (result.missing.length > 0) console.log(`not held: ${result.missing.join(' ')}`);
      } finally {
        await close();
      }
    });
}

import { topicSpecs, type TopicSpec } from '@easgate/contracts';
import { createLogger, KafkaBus, type TopicState } from '@easgate/messaging';
import type { Command } from 'commander';

interface TopicsOptions {
  brokers?: string;
  partitions?: string;
  replicationFactor?: string;
  dryRun?: boolean;
}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

function busFrom(options: TopicsOptions): KafkaBus {
  const brokers = (options.brokers ?? process.env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('no Kafka brokers: pass --brokers or set KAFKA_BROKERS');
  const logger = createLogger('easgate-topics');
  // The command prints what it found itself; the bus's own lines only when asked for.
  logger.level = process.env['LOG_LEVEL'] ?? 'error';
  return new KafkaBus({ brokers, clientId: 'easgate-cli', logger, startTimeoutMs: 30_000 });
}

function specsFrom(options: TopicsOptions): TopicSpec[] {
  const partitions = positive('--partitions', options.partitions);
  return topicSpecs(partitions !== undefined ? { partitions } : {});
}

function row(spec: TopicSpec, state: TopicState | undefined): string {
  const wanted = `${spec.partitions} partitions, retention.ms=${spec.retentionMs}, ${spec.cleanupPolicy}`;
  if (!state?.exists) return `${spec.name.padEnd(44)} missing      (catalogue: ${wanted})`;
  const short = (state.partitions ?? 0) < spec.partitions ? ' FEWER PARTITIONS THAN THE CATALOGUE' : '';
  return (
    `${spec.name.padEnd(44)} ${String(state.partitions).padStart(3)} partitions x${state.replicationFactor}, ` +
    `retention.ms=${state.retentionMs ?? '?'}, ${state.cleanupPolicy ?? '?'} (catalogue: ${wanted})${short}`
  );
}

/** `easgate topics apply|list`: the topic catalogue on a broker, for operators who create topics ahead of time. */
export function registerTopicsCommands(program: Command): void {
  const topics = program
    .command('topics')
    .description('the Kafka topic catalogue (every topic and its .dlq twin) on a broker');

  topics
    .command('apply')
    .description('create the catalogue topics that are missing (idempotent; never changes existing ones)')
    .option('--brokers <list>', 'host:port[,host:port…] (default KAFKA_BROKERS)')
    .option(
      '--partitions <n>',
      'partitions of every topic (default: the catalogue, e.g. 12 for keyed topics)',
    )
    .option('--replication-factor <n>', 'replicas of each partition (default min(3, brokers))')
    .option('--dry-run', 'show what would be created, create nothing')
    .action(async (options: TopicsOptions) => {
      const specs = specsFrom(options);
      const replicationFactor = positive('--replication-factor', options.replicationFactor);
      const bus = busFrom(options);
      try {
        if (options.dryRun) {
          const states = await bus.describeTopics(specs.map((s) => s.name));
          const missing = specs.filter((s) => !states.find((t) => t.name === s.name)?.exists);
          for (const spec of specs)
            console.log(
              row(
                spec,
                states.find((t) => t.name === spec.name),
              ),
            );
          console.log(`dry run: ${missing.length} of ${specs.length} topics would be created`);
          return;
        }
        const result = await bus.ensureTopics(specs, {
          ...(replicationFactor !== undefined && { replicationFactor }),
        });
        for (const name of result.created) console.log(`created ${name}`);
        for (const t of result.underPartitioned)
          console.log(`warning: ${t.name} has ${t.partitions} partitions, the catalogue says ${t.expected}`);
        console.log(`${result.created.length} created, ${result.existing.length} already there`);
      } finally {
        await bus.close();
      }
    });

  topics
    .command('list')
    .description('the catalogue beside what the broker holds')
    .option('--brokers <list>', 'host:port[,host:port…] (default KAFKA_BROKERS)')
    .option('--partitions <n>', 'compare with this partition count instead of the catalogue’s')
    .action(async (options: TopicsOptions) => {
      const specs = specsFrom(options);
      const bus = busFrom(options);
      try {
        const states = await bus.describeTopics(specs.map((s) => s.name));
        for (const spec of specs)
          console.log(
            row(
              spec,
              states.find((t) => t.name === spec.name),
            ),
          );
      } finally {
        await bus.close();
      }
    });
}

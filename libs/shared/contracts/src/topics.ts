/**
 * The topic catalogue: the only place a topic name is written.
 * Names follow `easgate.<domain>.<event-or-command>.v<N>`; dead letters are `<topic>.dlq`.
 * Never change a published topic: add optional fields, or publish a `.v2` beside the `.v1`.
 */
export const Topics = {
  /** MDM → translator: device compliance verdicts (the public MDM contract). Key: MDM device id. */
  MdmCompliance: 'easgate.mdm.compliance.v1',
  /** translator → executor: Exchange commands. Key: mailbox (tenant/UPN). */
  ExchangeCommand: 'easgate.exchange.command.v1',
  /** executor → everyone: the outcome of each command. Key: mailbox. */
  ExchangeResult: 'easgate.exchange.result.v1',
  /** executor → translator, alerting: mailboxes and devices discovered. Key: mailbox. */
  ExchangeInventory: 'easgate.exchange.inventory.v1',
  /** executor → alerting: ActiveSync configuration drift. Key: tenant. */
  ExchangeConfigDrift: 'easgate.exchange.config-drift.v1',
  /** cert-vault → alerting, console: certificate lifecycle. Key: certificate id. */
  CertificateLifecycle: 'easgate.cert.lifecycle.v1',
  /** every service → alerting: health signals (throttling, circuit state, backlog). Key: tenant or service. */
  ServiceHealth: 'easgate.ops.health.v1',
  /** alerting → ops: alerts firing and resolved. Key: alert fingerprint. */
  OpsAlert: 'easgate.ops.alert.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const DEAD_LETTER_SUFFIX = '.dlq';

/** The dead-letter topic of a topic. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith(DEAD_LETTER_SUFFIX);
}

/** Every topic the services use, with their dead-letter topics: what a deployment creates up front. */
export function allTopics(): string[] {
  return Object.values(Topics).flatMap((t) => [t, deadLetterTopicOf(t)]);
}

const DAY_MS = 24 * 3600_000;

/** How a topic is laid out on the broker: what `easgate topics apply`, every service at start and the Helm chart create. */
export interface TopicSpec {
  readonly name: string;
  /** Partitions bound the parallelism of a consumer group (one consumer per partition). */
  readonly partitions: number;
  /** `retention.ms`; -1 keeps forever. */
  readonly retentionMs: number;
  readonly cleanupPolicy: 'delete' | 'compact';
  /** The dead-letter twin's spec names the topic it holds the failures of. */
  readonly deadLetterOf?: Topic;
}

/** Partitions and retention per topic (the dead-letter twins are derived in `topicSpecs`). */
const TOPIC_LAYOUT: Record<Topic, Omit<TopicSpec, 'name' | 'deadLetterOf'>> = {
  [Topics.MdmCompliance]: { partitions: 12, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  [Topics.ExchangeCommand]: { partitions: 12, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  [Topics.ExchangeResult]: { partitions: 12, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  [Topics.ExchangeInventory]: { partitions: 12, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  [Topics.ExchangeConfigDrift]: { partitions: 3, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  [Topics.CertificateLifecycle]: { partitions: 3, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  [Topics.ServiceHealth]: { partitions: 3, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  [Topics.OpsAlert]: { partitions: 3, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
};

/** Dead letters wait for a person: kept a month, few partitions (they are rare and replayed by hand). */
const DEAD_LETTER_LAYOUT = { partitions: 3, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' } as const;

export interface TopicLayoutOverrides {
  /** Replaces the partition count of every topic (not of the dead-letter twins). */
  partitions?: number;
}

/** The whole catalogue as broker layout: every topic and its `.dlq` twin, in catalogue order. */
export function topicSpecs(overrides: TopicLayoutOverrides = {}): TopicSpec[] {
  return (Object.values(Topics) as Topic[]).flatMap((name) => [
    {
      name,
      ...TOPIC_LAYOUT[name],
      ...(overrides.partitions !== undefined && { partitions: overrides.partitions }),
    },
    { name: deadLetterTopicOf(name), ...DEAD_LETTER_LAYOUT, deadLetterOf: name },
  ]);
}

export type ServiceName = 'cert-vault' | 'exchange-executor' | 'policy-translator' | 'alerting';

/**
 * Which topics each service reads and writes: what it provisions at start, and the ACLs a
 * deployment grants it. A consumer also writes the dead-letter twin of each topic it consumes.
 */
export const ServiceTopics: Record<
  ServiceName,
  { consumes: readonly string[]; produces: readonly string[] }
> = {
  'cert-vault': { consumes: [], produces: [Topics.CertificateLifecycle] },
  'exchange-executor': {
    consumes: [Topics.ExchangeCommand],
    produces: [
      Topics.ExchangeResult,
      Topics.ExchangeInventory,
      Topics.ExchangeConfigDrift,
      Topics.ServiceHealth,
      deadLetterTopicOf(Topics.ExchangeCommand),
    ],
  },
  'policy-translator': {
    consumes: [Topics.MdmCompliance, Topics.ExchangeInventory, Topics.ExchangeResult],
    // The HTTP ingestion route publishes what MDMs post to the compliance topic.
    produces: [
      Topics.MdmCompliance,
      Topics.ExchangeCommand,
      ...[Topics.MdmCompliance, Topics.ExchangeInventory, Topics.ExchangeResult].map(deadLetterTopicOf),
    ],
  },
  alerting: {
    consumes: [
      Topics.CertificateLifecycle,
      Topics.ExchangeConfigDrift,
      Topics.ExchangeResult,
      Topics.ServiceHealth,
      ...allTopics().filter(isDeadLetterTopic),
    ],
    produces: [
      Topics.OpsAlert,
      ...[
        Topics.CertificateLifecycle,
        Topics.ExchangeConfigDrift,
        Topics.ExchangeResult,
        Topics.ServiceHealth,
      ].map(deadLetterTopicOf),
    ],
  },
};

/** The topics a service touches (consumed or produced), as broker layout: what it ensures exist at start. */
export function topicSpecsOf(service: ServiceName, overrides: TopicLayoutOverrides = {}): TopicSpec[] {
  const used = new Set([...ServiceTopics[service].consumes, ...ServiceTopics[service].produces]);
  return topicSpecs(overrides).filter((spec) => used.has(spec.name));
}

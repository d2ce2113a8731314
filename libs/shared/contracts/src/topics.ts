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

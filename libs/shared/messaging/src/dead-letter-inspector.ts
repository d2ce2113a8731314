import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_SUFFIX, decodeCloudEvent, deadLetterTopicOf, EasgateError } from '@easgate/contracts';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { kafkaBrokersFromEnv } from './bus-from-env';
import { DeadLetterHeaders } from './dead-letter';
import { kafkaSecurityFromEnv } from './kafka-security';
import { InProcessBus } from './transport/in-process-bus';
import { incoming, KafkaBus } from './transport/kafka-bus';
import type { IncomingMessage, MessageBus, MessagePublisher } from './transport/message';

/** A replayed record carries the id of the dead letter it came from: if it fails again, its new dead letter says so. */
export const REPLAY_OF_HEADER = 'x-easgate-replay-of';

export enum DeadLetterErrorCode {
  /** The bus cannot be read here (Kafka without KAFKA_BROKERS, an unknown bus). */
  Unavailable = 'DEAD_LETTERS_UNAVAILABLE',
  /** The broker did not deliver a dead-letter topic's records in time. */
  ReadTimeout = 'DEAD_LETTERS_READ_TIMEOUT',
}

/** One dead letter as an operator reads it: where it came from, why it died, whose it is. Never its payload. */
export interface DeadLetterEntry {
  /** `<dead-letter topic>:<partition>:<offset>`: what replaying one names. */
  readonly id: string;
  readonly topic: string;
  readonly originalTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** The CloudEvent's tenant, when the record is one (a poison message may not be). */
  readonly tenant?: string;
  readonly eventType?: string;
  readonly code?: string;
  readonly reason?: string;
  readonly retriable?: boolean;
  readonly attempts?: number;
  readonly failedAt?: string;
  readonly consumerGroup?: string;
  /** The dead letter this one is a failed replay of. */
  readonly replayOf?: string;
  /** Replayed already by a "replay all" (or in order) of the same scope: a "replay all" leaves it out. */
  readonly replayed?: boolean;
}

export interface DeadLetterFilter {
  /** Only this tenant's dead letters (case-insensitive); a dead letter of no known tenant is left out. */
  readonly tenant?: string;
  /** Only the dead letters of this consumer group (a topic two services consume holds both's). */
  readonly consumerGroup?: string;
  /** Newest first; at most this many (default 500). */
  readonly limit?: number;
}

export interface ReplayResult {
  readonly replayed: DeadLetterEntry[];
  /** Ids asked for that are not (or no longer) held, or not in the caller's tenant. */
  readonly missing: string[];
}

/** Where dead letters are read from: every record a dead-letter topic still holds (its retention). */
export interface DeadLetterStore {
  read(topic: string): Promise<IncomingMessage[]>;
  /** Per partition, the offset below which the ledger `ledger` has replayed (or skipped) every dead letter. */
  replayedBelow(ledger: string, topic: string): Promise<Map<number, bigint>>;
  /** Moves the ledger's marks forward (never back). */
  markReplayed(ledger: string, topic: string, below: Map<number, bigint>): Promise<void>;
}

/**
 * Lists and replays the dead letters of a set of topics (`<topic>.dlq`), on Kafka or on the in-process
 * bus alike: the HTTP endpoint of each service and `easgate dlq` are this one class. Replaying publishes the
 * record, without the dead-letter headers, back to its original topic; consumers are idempotent (inbox),
 * so a dead letter replayed twice has one effect, and one that fails again comes back as a new dead letter
 * carrying `x-easgate-replay-of`. Dead letters stay in their topic until its retention removes them.
 */
export class DeadLetterInspector {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly publisher: MessagePublisher,
  ) {}

  async list(originalTopics: readonly string[], filter: DeadLetterFilter = {}): Promise<DeadLetterEntry[]> {
    const entries = (await this.readScope(originalTopics, filter)).map((h) => h.entry);
    return entries
      .sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? '') || a.id.localeCompare(b.id))
      .slice(0, filter.limit ?? 500);
  }

  /**
   * Replays the dead letters named by `ids`, or, without `ids`, every one of the scope (tenant, consumer
   * group) not replayed yet: a second "replay all" of the same scope replays only what died since.
   */
  async replay(
    originalTopics: readonly string[],
    selection: { ids?: readonly string[]; tenant?: string; consumerGroup?: string } = {},
  ): Promise<ReplayResult> {
    const inScope = await this.readScope(originalTopics, selection);
    const chosen = selection.ids
      ? inScope.filter((h) => selection.ids!.includes(h.entry.id))
      : inScope.filter((h) => !h.entry.replayed);
    const found = new Set(chosen.map((h) => h.entry.id));
    const byTopic = new Map<string, HeldDeadLetter[]>();
    for (const h of chosen)
      byTopic.set(h.entry.originalTopic, [...(byTopic.get(h.entry.originalTopic) ?? []), h]);
    for (const [topic, letters] of byTopic) {
      // In offset order per partition, so one key's records go back in the order they died.
      letters.sort((a, b) => a.entry.partition - b.entry.partition || Number(a.offset - b.offset));
      await this.publisher.publish(
        topic,
        letters.map(({ message, entry }) => ({
          key: message.key,
          value: message.value,
          headers: {
            ...Object.fromEntries(
              Object.entries(message.headers).filter(
                ([name]) => !name.startsWith('x-easgate-dlq-') && name !== REPLAY_OF_HEADER,
              ),
            ),
            [REPLAY_OF_HEADER]: entry.id,
          },
        })),
      );
    }
    await this.advanceLedger(originalTopics, selection, inScope, found);
    return {
      replayed: chosen.map((h) => ({ ...h.entry, replayed: true })),
      missing: (selection.ids ?? []).filter((id) => !found.has(id)),
    };
  }

  /** Each partition's mark moves past what is replayed now or was before, up to the first one still waiting. */
  private async advanceLedger(
    originalTopics: readonly string[],
    scope: Scope,
    inScope: HeldDeadLetter[],
    replayedNow: Set<string>,
  ): Promise<void> {
    const ledger = ledgerOf(scope);
    for (const original of originalTopics) {
      const topic = deadLetterTopicOf(original);
      const marks = new Map<number, bigint>();
      const waiting = new Map<number, bigint>();
      for (const h of inScope.filter((x) => x.entry.topic === topic)) {
        const done = h.entry.replayed === true || replayedNow.has(h.entry.id);
        const p = h.entry.partition;
        if (done) marks.set(p, h.offset + 1n > (marks.get(p) ?? 0n) ? h.offset + 1n : marks.get(p)!);
        else if (h.offset < (waiting.get(p) ?? BigInt(Number.MAX_SAFE_INTEGER))) waiting.set(p, h.offset);
      }
      const below = new Map<number, bigint>();
      for (const [p, mark] of marks) {
        const firstWaiting = waiting.get(p);
        below.set(p, firstWaiting !== undefined && firstWaiting < mark ? firstWaiting : mark);
      }
      if (below.size > 0) await this.store.markReplayed(ledger, topic, below);
    }
  }

  /** The scope's dead letters, each marked replayed when below its partition's mark. */
  private async readScope(originalTopics: readonly string[], scope: Scope): Promise<HeldDeadLetter[]> {
    const held: HeldDeadLetter[] = [];
    const ledger = ledgerOf(scope);
    for (const original of originalTopics) {
      const topic = deadLetterTopicOf(original);
      const messages = await this.store.read(topic);
      if (messages.length === 0) continue;
      const below = await this.store.replayedBelow(ledger, topic);
      for (const message of messages) {
        const offset = BigInt(message.offset);
        const entry = {
          ...describeDeadLetter(message, original),
          replayed: offset < (below.get(message.partition) ?? 0n),
        };
        if (!matchesTenant(entry, scope.tenant)) continue;
        if (scope.consumerGroup !== undefined && entry.consumerGroup !== scope.consumerGroup) continue;
        held.push({ message, entry, offset });
      }
    }
    return held;
  }
}

interface Scope {
  readonly tenant?: string;
  readonly consumerGroup?: string;
}

/** One ledger per scope: `easgate-dlq-replay[.<consumer group>][.<tenant>]` (a Kafka consumer group's offsets). */
export function ledgerOf(scope: Scope): string {
  return ['easgate-dlq-replay', scope.consumerGroup, scope.tenant?.trim().toLowerCase()]
    .filter((part) => part !== undefined && part !== '')
    .join('.');
}

interface HeldDeadLetter {
  readonly message: IncomingMessage;
  readonly entry: DeadLetterEntry;
  readonly offset: bigint;
}

function matchesTenant(entry: DeadLetterEntry, tenant: string | undefined): boolean {
  if (tenant === undefined) return true;
  return entry.tenant !== undefined && entry.tenant.toLowerCase() === tenant.trim().toLowerCase();
}

/** What the headers and the envelope say about a dead letter; the original topic is the dead-letter topic's. */
export function describeDeadLetter(message: IncomingMessage, originalTopic?: string): DeadLetterEntry {
  const h = message.headers;
  const decoded = decodeCloudEvent(message);
  const tenant = decoded.ok ? decoded.event.tenant : h['ce_tenant'];
  const eventType = decoded.ok ? decoded.event.type : h['ce_type'];
  const attempts = Number(h[DeadLetterHeaders.Attempts]);
  return {
    id: `${message.topic}:${message.partition}:${message.offset}`,
    topic: message.topic,
    originalTopic: originalTopic ?? message.topic.slice(0, -DEAD_LETTER_SUFFIX.length),
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    ...(tenant !== undefined && { tenant }),
    ...(eventType !== undefined && { eventType }),
    ...(h[DeadLetterHeaders.ErrorCode] !== undefined && { code: h[DeadLetterHeaders.ErrorCode] }),
    ...(h[DeadLetterHeaders.Reason] !== undefined && { reason: h[DeadLetterHeaders.Reason] }),
    ...(h[DeadLetterHeaders.Retriable] !== undefined && {
      retriable: h[DeadLetterHeaders.Retriable] === 'true',
    }),
    ...(Number.isFinite(attempts) && { attempts }),
    ...(h[DeadLetterHeaders.FailedAt] !== undefined && { failedAt: h[DeadLetterHeaders.FailedAt] }),
    ...(h[DeadLetterHeaders.ConsumerGroup] !== undefined && {
      consumerGroup: h[DeadLetterHeaders.ConsumerGroup],
    }),
    ...(h[REPLAY_OF_HEADER] !== undefined && { replayOf: h[REPLAY_OF_HEADER] }),
  };
}

/** The in-process bus (`easgate start`): its log holds every dead letter, read without a consumer group. */
export function inProcessDeadLetterStore(bus: InProcessBus): DeadLetterStore {
  // The marks live as long as the process: after a restart a "replay all" replays again (inboxes dedupe).
  const marks = new Map<string, Map<number, bigint>>();
  return {
    read: (topic) => Promise.resolve(bus.read(topic)),
    replayedBelow: (ledger, topic) => Promise.resolve(new Map(marks.get(`${ledger}|${topic}`) ?? [])),
    markReplayed: (ledger, topic, below) => {
      const current = marks.get(`${ledger}|${topic}`) ?? new Map<number, bigint>();
      for (const [p, mark] of below) if (mark > (current.get(p) ?? 0n)) current.set(p, mark);
      marks.set(`${ledger}|${topic}`, current);
      return Promise.resolve();
    },
  };
}

/**
 * Kafka: each read joins a throw-away consumer group, reads every partition from its low to its high
 * watermark (taken first: what dies meanwhile is for the next read), then leaves and deletes the group.
 */
export function kafkaDeadLetterStore(
  kafka: Kafka,
  options: { readTimeoutMs?: number } = {},
): DeadLetterStore {
  const readTimeoutMs = options.readTimeoutMs ?? 60_000;
  const withAdmin = async <T>(work: (admin: Admin) => Promise<T>): Promise<T> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  return {
    // The ledger is a consumer group that never consumes: its committed offsets are the marks.
    replayedBelow: (ledger, topic) =>
      withAdmin(async (admin) => {
        const [offsets] = await admin.fetchOffsets({ groupId: ledger, topics: [topic] });
        return new Map(
          (offsets?.partitions ?? [])
            .filter((p) => BigInt(p.offset) >= 0n)
            .map((p) => [p.partition, BigInt(p.offset)] as const),
        );
      }),
    markReplayed: (ledger, topic, below) =>
      withAdmin(async (admin) => {
        const [offsets] = await admin.fetchOffsets({ groupId: ledger, topics: [topic] });
        const current = new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
        const partitions = [...below]
          .filter(([p, mark]) => mark > (current.get(p) ?? -1n))
          .map(([partition, mark]) => ({ partition, offset: mark.toString() }));
        if (partitions.length > 0) await admin.setOffsets({ groupId: ledger, topic, partitions });
      }),
    async read(topic) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        // A dead-letter topic nobody created yet holds nothing (and asking for its offsets would retry).
        if (!(await admin.listTopics()).includes(topic)) return [];
        const offsets = await admin.fetchTopicOffsets(topic);
        const remaining = new Map(
          offsets
            .filter((o) => BigInt(o.high) > BigInt(o.low))
            .map((o) => [o.partition, BigInt(o.high) - 1n] as const),
        );
        if (remaining.size === 0) return [];
        const groupId = `easgate-dlq-reader-${randomUUID()}`;
        const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
        const records: IncomingMessage[] = [];
        try {
          await consumer.connect();
          await consumer.subscribe({ topics: [topic], fromBeginning: true });
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () =>
                reject(
                  new EasgateError(
                    DeadLetterErrorCode.ReadTimeout,
                    `${topic}: the broker did not deliver the dead letters within ${readTimeoutMs} ms`,
                    true,
                  ),
                ),
              readTimeoutMs,
            );
            consumer
              .run({
                autoCommit: false,
                eachMessage: async ({ partition, message }) => {
                  const last = remaining.get(partition);
                  if (last === undefined || BigInt(message.offset) > last) return Promise.resolve();
                  records.push(incoming(topic, partition, message));
                  if (BigInt(message.offset) === last) remaining.delete(partition);
                  if (remaining.size === 0) {
                    clearTimeout(timer);
                    resolve();
                  }
                  return Promise.resolve();
                },
              })
              .catch((err: unknown) => {
                clearTimeout(timer);
                reject(err instanceof Error ? err : new Error(String(err)));
              });
          });
        } finally {
          await consumer.disconnect().catch(() => undefined);
          await admin.deleteGroups([groupId]).catch(() => undefined);
        }
        return records;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

/** The Kafka client of KAFKA_BROKERS (with the KAFKA_* security settings), for reading dead letters. */
export function deadLetterKafkaFromEnv(env: NodeJS.ProcessEnv, clientId = 'easgate-dead-letters'): Kafka {
  const brokers = kafkaBrokersFromEnv(env);
  if (brokers.length === 0)
    throw new EasgateError(
      DeadLetterErrorCode.Unavailable,
      'dead letters on Kafka need KAFKA_BROKERS (host:port[,host:port…])',
      true,
    );
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, ...kafkaSecurityFromEnv(env) });
}

/** The inspector for a service's bus: the in-process log, or Kafka through KAFKA_BROKERS of `env`. */
export function deadLetterInspectorFor(bus: MessageBus, env: NodeJS.ProcessEnv): DeadLetterInspector {
  if (bus instanceof InProcessBus)
    return new DeadLetterInspector(inProcessDeadLetterStore(bus), bus.publisher());
  if (bus instanceof KafkaBus) {
    let store: DeadLetterStore | undefined;
    // The Kafka client is made on first use: a service whose dead letters nobody reads needs no brokers here.
    const kafka = () => (store ??= kafkaDeadLetterStore(deadLetterKafkaFromEnv(env)));
    const lazy: DeadLetterStore = {
      read: (topic) => kafka().read(topic),
      replayedBelow: (ledger, topic) => kafka().replayedBelow(ledger, topic),
      markReplayed: (ledger, topic, below) => kafka().markReplayed(ledger, topic, below),
    };
    return new DeadLetterInspector(lazy, bus.publisher());
  }
  const unavailable: DeadLetterStore = {
    replayedBelow: () => Promise.resolve(new Map()),
    markReplayed: () => Promise.resolve(),
    read: () =>
      Promise.reject(
        new EasgateError(
          DeadLetterErrorCode.Unavailable,
          `dead letters cannot be read on a ${bus.kind} bus here`,
          true,
        ),
      ),
  };
  return new DeadLetterInspector(unavailable, bus.publisher());
}

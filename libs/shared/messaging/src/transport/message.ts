import type { KafkaRecord } from '@easgate/contracts';

/** A record as a consumer receives it, with where it came from. */
export interface IncomingMessage extends KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
}

/** What a bus gives the sink beside the message, for work that may wait a long time. */
export interface DeliveryControl {
  /** Keeps the consumer's group membership alive while a message waits (rejects when the group rebalances). */
  heartbeat(): Promise<void>;
  /** Aborted when the consumer stops: a message still waiting gives up and is redelivered later. */
  readonly signal: AbortSignal;
}

/** Processes one message; resolves when the work is done (the offset is committed after). */
export type MessageSink = (message: IncomingMessage, control?: DeliveryControl) => Promise<void>;

/**
 * Processes the ready messages of ONE partition, in offset order, as one unit; resolves when all of
 * them are done (the offset after the last one is committed after). Rejecting redelivers them all.
 */
export type BatchSink = (messages: IncomingMessage[], control?: DeliveryControl) => Promise<void>;

export interface MessagePublisher {
  /** Publishes records to one topic, in order. Resolves when the broker has them. */
  publish(topic: string, records: KafkaRecord[]): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Read a new group's partitions from the start (default true: nothing published is skipped). */
  fromBeginning?: boolean;
  /** Partitions processed at once (ordering still holds per partition, so per key). */
  partitionsConsumedConcurrently?: number;
  /** Batches handed to a batch sink hold at most this many messages (default 2,000). */
  maxBatchSize?: number;
}

/**
 * Large enough that a batch's fixed cost (a transaction and its few statements) is spread over many
 * events; small enough that a transaction stays short (about a megabyte of events).
 */
export const DEFAULT_MAX_BATCH_SIZE = 2_000;

export interface ConsumerHandle {
  stop(): Promise<void>;
}

/**
 * The bus every service talks through: Kafka in production, in-process for the single-machine
 * mode. Both give the same semantics: per-key order, at-least-once, offsets committed only after
 * the sink resolves.
 */
export interface MessageBus {
  readonly kind: 'kafka' | 'in-process';
  publisher(): MessagePublisher;
  /** Starts consuming; resolves once the consumer has joined its group and can receive. */
  consume(options: ConsumerOptions, sink: MessageSink): Promise<ConsumerHandle>;
  /**
   * Starts consuming in batches: each call of `sink` gets ready messages of one partition (at most
   * `maxBatchSize`), in order; the partition moves on once it resolves. Same group semantics as `consume`.
   */
  consumeBatches(options: ConsumerOptions, sink: BatchSink): Promise<ConsumerHandle>;
  close(): Promise<void>;
}

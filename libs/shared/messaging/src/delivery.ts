import { performance } from 'node:perf_hooks';
import { type CloudEvent, decodeCloudEvent, deadLetterTopicOf, isCodedError } from '@easgate/contracts';
import { deadLetterRecord, type DeadLetterReason } from './dead-letter';
import { isInfrastructureError } from './infrastructure-error';
import type { Logger } from './logger';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy';
import type { DeliveryControl, IncomingMessage, MessagePublisher } from './transport/message';

/** PostgreSQL deadlock and serialisation failures: the transaction lost a race, not the message's fault. */
function isTransactionConflict(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === '40P01' || code === '40001';
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Where a message stands while its handler runs. */
export interface DeliveryContext {
  readonly groupId: string;
  /** The message handled (a batch: its first message). */
  readonly message: IncomingMessage;
  /** A batch handler's messages, in order (absent for a one-message handler). */
  readonly messages?: readonly IncomingMessage[];
  readonly attempt: number;
}

export type EventHandler = (event: CloudEvent<unknown>, context: DeliveryContext) => Promise<unknown>;

/**
 * Handles several events of one partition at once, in order (typically in one transaction). It
 * succeeds or fails as a whole: on failure nothing of it may have been kept.
 */
export type BatchEventHandler = (events: CloudEvent<unknown>[], context: DeliveryContext) => Promise<unknown>;

export type DeliveryOutcome = 'processed' | 'dead-lettered';

export interface DeliveryObserver {
  (outcome: {
    topic: string;
    outcome: DeliveryOutcome;
    code?: string;
    durationMs: number;
    attempts: number;
  }): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown when the consumer stops while a message waits for its infrastructure: it is redelivered later. */
export class DeliveryAbandonedError extends Error {
  override readonly name = 'DeliveryAbandonedError';
}

/** Waits `ms`, sending heartbeats meanwhile; rejects as soon as the consumer stops. */
async function waitKeepingSession(ms: number, control: DeliveryControl | undefined): Promise<void> {
  const signal = control?.signal;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (signal?.aborted)
      throw new DeliveryAbandonedError('consumer stopping: the message will be redelivered');
    await control?.heartbeat();
    const step = Math.min(1_000, until - Date.now());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, step);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
  if (signal?.aborted) throw new DeliveryAbandonedError('consumer stopping: the message will be redelivered');
}

function classify(error: unknown): { code: string; message: string; retriable: boolean } {
  if (isCodedError(error)) return { code: error.code, message: error.message, retriable: error.retriable };
  // Unknown failures (a dropped connection, a bug) may pass on a second try: retry, bounded.
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  return { code: 'UNEXPECTED_ERROR', message: message ?? 'unknown error', retriable: true };
}

/**
 * Delivers one message to its handler: decode the CloudEvent, run the handler, retry retriable
 * failures with back-off up to the policy's bound, and dead-letter what cannot succeed, with the
 * original key, value and headers plus the code, reason and origin. It resolves once the message
 * is handled either way, so the offset commits and the partition moves on; it rejects only when
 * even the dead-letter publish fails (the message is then redelivered: nothing is lost).
 *
 * An infrastructure failure (database or broker unavailable, see isInfrastructureError) says
 * nothing about the message: it is retried with capped back-off for as long as it lasts, without
 * counting attempts, never dead-lettered; the consumer's session is kept alive with heartbeats
 * meanwhile, and a consumer that stops abandons the message to be redelivered.
 */
export class DeliveryPipeline {
  constructor(
    private readonly groupId: string,
    private readonly handlers: ReadonlyMap<string, EventHandler>,
    private readonly publisher: MessagePublisher,
    private readonly logger: Logger,
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly observe?: DeliveryObserver,
    private readonly batchHandlers: ReadonlyMap<string, BatchEventHandler> = new Map(),
  ) {}

  /**
   * Delivers the messages of one partition, in order. Topics with a one-message handler go through
   * `deliver` one by one. For a batch handler: every message is decoded (an undecodable one is
   * dead-lettered alone), then the handler runs once for all of them. When it fails for a reason of
   * the messages (not the infrastructure), the batch is bisected: each half is handled on its own,
   * down to the single message that fails, which gets the one-message retries and then its dead
   * letter alone, with its reason; what succeeded is kept and not handled again. An infrastructure
   * failure (or a lost transaction race) retries the whole batch for as long as it lasts, never
   * dead-lettering. One info line per batch; per message at debug.
   */
  readonly deliverBatch = async (messages: IncomingMessage[], control?: DeliveryControl): Promise<void> => {
    if (messages.length === 0) return;
    const handler = this.batchHandlers.get(messages[0].topic);
    if (!handler || messages.some((m) => m.topic !== messages[0].topic)) {
      for (const message of messages) await this.deliver(message, control);
      return;
    }
    const started = performance.now();
    const tally = { handlerCalls: 0, deadLettered: 0 };
    // Runs of decodable messages go to the handler; an undecodable one is dead-lettered between
    // them, so that dead letters and effects keep the partition's order.
    let run: { message: IncomingMessage; event: CloudEvent<unknown> }[] = [];
    for (const message of messages) {
      const decoded = decodeCloudEvent(message);
      if (decoded.ok) {
        run.push({ message, event: decoded.event });
        continue;
      }
      await this.runBatch(handler, run, control, started, tally);
      run = [];
      tally.deadLettered++;
      await this.deadLetter(message, { ...decoded.error, retriable: false, attempts: 0 }, started);
    }
    await this.runBatch(handler, run, control, started, tally);
    const durationMs = Math.round(performance.now() - started);
    const first = messages[0];
    this.logger.info(
      {
        topic: first.topic,
        partition: first.partition,
        firstOffset: first.offset,
        lastOffset: messages[messages.length - 1].offset,
        messages: messages.length,
        processed: messages.length - tally.deadLettered,
        deadLettered: tally.deadLettered,
        handlerCalls: tally.handlerCalls,
        durationMs,
      },
      'batch handled',
    );
  };

  private async runBatch(
    handler: BatchEventHandler,
    items: { message: IncomingMessage; event: CloudEvent<unknown> }[],
    control: DeliveryControl | undefined,
    started: number,
    tally: { handlerCalls: number; deadLettered: number },
  ): Promise<void> {
    if (items.length === 0) return;
    let waits = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        tally.handlerCalls++;
        await handler(
          items.map((i) => i.event),
          {
            groupId: this.groupId,
            message: items[0].message,
            messages: items.map((i) => i.message),
            attempt,
          },
        );
        const durationMs = Math.round(performance.now() - started);
        const debug = this.logger.isLevelEnabled('debug');
        for (const { message, event } of items) {
          this.observe?.({ topic: message.topic, outcome: 'processed', durationMs, attempts: attempt });
          if (!debug) continue;
          this.logger.debug(
            {
              topic: message.topic,
              partition: message.partition,
              offset: message.offset,
              key: message.key,
              eventId: event.id,
              eventType: event.type,
              tenant: event.tenant,
              outcome: 'processed',
            },
            'message handled',
          );
        }
        return;
      } catch (error) {
        const conflict = isTransactionConflict(error) && attempt < this.policy.maxAttempts;
        if (isInfrastructureError(error) || conflict) {
          waits++;
          const delay = conflict
            ? retryDelayMs({ ...this.policy, initialDelayMs: 20 }, attempt)
            : retryDelayMs(this.policy, Math.min(waits, 30));
          this.logger.warn(
            {
              topic: items[0].message.topic,
              partition: items[0].message.partition,
              firstOffset: items[0].message.offset,
              messages: items.length,
              waits,
              retryInMs: delay,
              reason: errorText(error),
            },
            conflict
              ? 'batch lost a transaction race: retrying it whole'
              : 'infrastructure unavailable: waiting with the whole batch, not dead-lettering',
          );
          await waitKeepingSession(delay, control);
          if (!conflict) attempt--; // an infrastructure failure is not an attempt of the messages
          continue;
        }
        if (items.length === 1) {
          // One message left: the one-message path gives it its retries, then its own dead letter.
          const failure = classify(error);
          if (!failure.retriable || attempt >= this.policy.maxAttempts) {
            tally.deadLettered++;
            await this.deadLetter(
              items[0].message,
              { ...failure, attempts: attempt },
              started,
              items[0].event,
            );
            return;
          }
          const delay = retryDelayMs(this.policy, attempt);
          this.logger.warn(
            {
              topic: items[0].message.topic,
              partition: items[0].message.partition,
              offset: items[0].message.offset,
              eventId: items[0].event.id,
              code: failure.code,
              attempt,
              retryInMs: delay,
              reason: failure.message,
            },
            'handler failed: retrying',
          );
          await waitKeepingSession(delay, control);
          continue;
        }
        const half = Math.ceil(items.length / 2);
        this.logger.debug(
          { topic: items[0].message.topic, messages: items.length, reason: errorText(error) },
          'batch failed: bisecting to find the message at fault',
        );
        await control?.heartbeat();
        await this.runBatch(handler, items.slice(0, half), control, started, tally);
        await this.runBatch(handler, items.slice(half), control, started, tally);
        return;
      }
    }
  }

  readonly deliver = async (message: IncomingMessage, control?: DeliveryControl): Promise<void> => {
    const started = performance.now();
    const handler = this.handlers.get(message.topic);
    const where = {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key,
    };
    if (!handler) {
      await this.deadLetter(
        message,
        {
          code: 'NO_HANDLER',
          message: `no handler for topic ${message.topic}`,
          retriable: false,
          attempts: 0,
        },
        started,
      );
      return;
    }
    const decoded = decodeCloudEvent(message);
    if (!decoded.ok) {
      await this.deadLetter(message, { ...decoded.error, retriable: false, attempts: 0 }, started);
      return;
    }
    const event = decoded.event;
    let infrastructureWaits = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(event, { groupId: this.groupId, message, attempt });
        const durationMs = Math.round(performance.now() - started);
        this.logger.debug(
          {
            ...where,
            eventId: event.id,
            eventType: event.type,
            tenant: event.tenant,
            outcome: 'processed',
            attempts: attempt,
            durationMs,
          },
          'message handled',
        );
        this.observe?.({ topic: message.topic, outcome: 'processed', durationMs, attempts: attempt });
        return;
      } catch (error) {
        if (isInfrastructureError(error)) {
          infrastructureWaits++;
          const delay = retryDelayMs(this.policy, Math.min(infrastructureWaits, 30));
          this.logger.warn(
            {
              ...where,
              eventId: event.id,
              infrastructureWaits,
              retryInMs: delay,
              reason: error instanceof Error ? error.message : String(error),
            },
            'infrastructure unavailable: waiting, not dead-lettering',
          );
          await waitKeepingSession(delay, control);
          attempt--; // an infrastructure failure is not an attempt of the message
          continue;
        }
        const failure = classify(error);
        if (!failure.retriable || attempt >= this.policy.maxAttempts) {
          await this.deadLetter(message, { ...failure, attempts: attempt }, started, event);
          return;
        }
        const delay = retryDelayMs(this.policy, attempt);
        this.logger.warn(
          {
            ...where,
            eventId: event.id,
            code: failure.code,
            attempt,
            retryInMs: delay,
            reason: failure.message,
          },
          'handler failed: retrying',
        );
        await sleep(delay);
      }
    }
  };

  private async deadLetter(
    message: IncomingMessage,
    reason: DeadLetterReason,
    started: number,
    event?: CloudEvent<unknown>,
  ): Promise<void> {
    const dlq = deadLetterTopicOf(message.topic);
    await this.publisher.publish(dlq, [deadLetterRecord(message, this.groupId, reason)]);
    const durationMs = Math.round(performance.now() - started);
    this.logger.error(
      {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key,
        eventId: event?.id,
        outcome: 'dead-lettered',
        deadLetterTopic: dlq,
        code: reason.code,
        reason: reason.message,
        attempts: reason.attempts,
        durationMs,
      },
      'message dead-lettered',
    );
    this.observe?.({
      topic: message.topic,
      outcome: 'dead-lettered',
      code: reason.code,
      durationMs,
      attempts: reason.attempts,
    });
  }
}

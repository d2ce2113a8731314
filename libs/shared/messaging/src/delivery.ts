import { performance } from 'node:perf_hooks';
import { type CloudEvent, decodeCloudEvent, deadLetterTopicOf, isCodedError } from '@easgate/contracts';
import { deadLetterRecord, type DeadLetterReason } from './dead-letter';
import { isInfrastructureError } from './infrastructure-error';
import type { Logger } from './logger';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy';
import type { DeliveryControl, IncomingMessage, MessagePublisher } from './transport/message';

/** Where a message stands while its handler runs. */
export interface DeliveryContext {
  readonly groupId: string;
  readonly message: IncomingMessage;
  readonly attempt: number;
}

export type EventHandler = (event: CloudEvent<unknown>, context: DeliveryContext) => Promise<unknown>;

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
  ) {}

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
        this.logger.info(
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

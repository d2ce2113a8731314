import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import {
  type BatchEventHandler,
  DeliveryPipeline,
  type DeliveryObserver,
  type EventHandler,
} from '../delivery';
import { createLogger, type Logger } from '../logger';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry-policy';
import type { ConsumerHandle, MessageBus } from '../transport/message';
import { EventContext } from './event-context';

export const EASGATE_TRANSPORT = Symbol('easgate');

export interface EasgateTransportOptions {
  bus: MessageBus;
  /** The consumer group: one per service (never shared between services). */
  groupId: string;
  retry?: Partial<RetryPolicy>;
  partitionsConsumedConcurrently?: number;
  /** Events a batch handler gets at most per call (default 2,000). */
  maxBatchSize?: number;
  /** Where a group with no committed offsets starts (default: the beginning). */
  fromBeginning?: boolean;
  logger?: Logger;
  observe?: DeliveryObserver;
}

/** `@EventPattern(topic, BATCH)`: the handler receives an array of the partition's decoded events. */
export const BATCH = { batch: true } as const;

/**
 * A Nest transport over the easgate bus (Kafka or in-process). `@EventPattern(topic)` handlers
 * receive the decoded CloudEvent; `@EventPattern(topic, { batch: true })` handlers receive the
 * decoded CloudEvents of one partition's batch, in order (validate them with EnvelopeBatchPipe).
 * Failures go through the bounded-retry/dead-letter pipeline (batches: bisected, so that a poison
 * message is dead-lettered alone). With any batch handler, the service consumes in batches; its
 * one-message handlers still get their messages one by one.
 */
export class EasgateTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = EASGATE_TRANSPORT;
  private consumer?: ConsumerHandle;
  private readonly log: Logger;

  constructor(private readonly options: EasgateTransportOptions) {
    super();
    this.log = options.logger ?? createLogger(`consumer:${options.groupId}`);
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      const handlers = new Map<string, EventHandler>();
      const batchHandlers = new Map<string, BatchEventHandler>();
      for (const [pattern, handler] of this.getHandlers()) {
        const run = async (payload: unknown, delivery: Parameters<EventHandler>[1]) => {
          const result: unknown = await handler(payload, new EventContext(delivery));
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        };
        if ((handler.extras as { batch?: unknown } | undefined)?.batch === true) {
          batchHandlers.set(pattern, run);
          handlers.set(pattern, (event, delivery) => run([event], delivery));
        } else handlers.set(pattern, run);
      }
      if (handlers.size > 0) {
        const pipeline = new DeliveryPipeline(
          this.options.groupId,
          handlers,
          this.options.bus.publisher(),
          this.log,
          { ...DEFAULT_RETRY_POLICY, ...this.options.retry },
          this.options.observe,
          batchHandlers,
        );
        const consumerOptions = {
          groupId: this.options.groupId,
          topics: [...handlers.keys()],
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
          fromBeginning: this.options.fromBeginning ?? true,
          ...(this.options.maxBatchSize !== undefined && { maxBatchSize: this.options.maxBatchSize }),
        };
        this.consumer =
          batchHandlers.size > 0
            ? await this.options.bus.consumeBatches(consumerOptions, pipeline.deliverBatch)
            : await this.options.bus.consume(consumerOptions, pipeline.deliver);
        this.log.info(
          {
            topics: [...handlers.keys()],
            batchTopics: [...batchHandlers.keys()],
            groupId: this.options.groupId,
          },
          'consuming',
        );
      }
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  on(): never {
    throw new Error('EasgateTransport does not emit server events');
  }

  unwrap<T>(): T {
    return this.options.bus as T;
  }
}

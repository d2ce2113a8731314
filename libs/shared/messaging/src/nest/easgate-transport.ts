import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { DeliveryPipeline, type DeliveryObserver, type EventHandler } from '../delivery';
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
  /** Where a group with no committed offsets starts (default: the beginning). */
  fromBeginning?: boolean;
  logger?: Logger;
  observe?: DeliveryObserver;
}

/**
 * A Nest transport over the easgate bus (Kafka or in-process). `@EventPattern(topic)` handlers
 * receive the decoded CloudEvent; failures go through the bounded-retry/dead-letter pipeline.
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
      for (const [pattern, handler] of this.getHandlers()) {
        handlers.set(pattern, async (event, delivery) => {
          const result: unknown = await handler(event, new EventContext(delivery));
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        });
      }
      if (handlers.size > 0) {
        const pipeline = new DeliveryPipeline(
          this.options.groupId,
          handlers,
          this.options.bus.publisher(),
          this.log,
          { ...DEFAULT_RETRY_POLICY, ...this.options.retry },
          this.options.observe,
        );
        this.consumer = await this.options.bus.consume(
          {
            groupId: this.options.groupId,
            topics: [...handlers.keys()],
            partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
            fromBeginning: this.options.fromBeginning ?? true,
          },
          pipeline.deliver,
        );
        this.log.info({ topics: [...handlers.keys()], groupId: this.options.groupId }, 'consuming');
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

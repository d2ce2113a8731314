import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Database } from '@easgate/persistence';
import { Inbox } from '../inbox/inbox';
import { createLogger } from '../logger';
import { Outbox, OutboxRelay, type OutboxRelayOptions } from '../outbox/outbox';
import type { MessageBus, MessagePublisher } from '../transport/message';

export const MESSAGE_BUS = Symbol('MESSAGE_BUS');
export const MESSAGE_PUBLISHER = Symbol('MESSAGE_PUBLISHER');
export const SERVICE_DATABASE = Symbol('SERVICE_DATABASE');

export interface MessagingModuleOptions {
  service: string;
  bus: MessageBus;
  database: Database;
  relay?: OutboxRelayOptions;
}

/** Starts the outbox relay with the application and stops it before the database closes. */
@Injectable()
class OutboxRelayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(OutboxRelay) private readonly relay: OutboxRelay) {}
  onApplicationBootstrap(): void {
    this.relay.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

/**
 * A service's messaging: its bus publisher, its inbox (consumer = the service name), its outbox
 * and the relay publishing it.
 */
@Module({})
export class MessagingModule {
  static forService(options: MessagingModuleOptions): DynamicModule {
    const publisher: MessagePublisher = options.bus.publisher();
    const relay = new OutboxRelay(
      options.database,
      publisher,
      createLogger(`${options.service}:outbox`),
      options.relay,
    );
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGE_BUS, useValue: options.bus },
        { provide: MESSAGE_PUBLISHER, useValue: publisher },
        { provide: SERVICE_DATABASE, useValue: options.database },
        { provide: OutboxRelay, useValue: relay },
        { provide: Outbox, useValue: new Outbox(relay.notify) },
        { provide: Inbox, useValue: new Inbox(options.database, options.service) },
        OutboxRelayLifecycle,
      ],
      exports: [MESSAGE_BUS, MESSAGE_PUBLISHER, SERVICE_DATABASE, OutboxRelay, Outbox, Inbox],
    };
  }
}

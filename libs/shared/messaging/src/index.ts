export * from './logger';
export * from './retry-policy';
export * from './infrastructure-error';
export * from './transport/kafka-readiness';
export * from './dead-letter';
export * from './dead-letter-inspector';
export * from './delivery';
export * from './transport/message';
export * from './transport/kafka-bus';
export * from './transport/in-process-bus';
export * from './bus-from-env';
export * from './inbox/inbox';
export * from './inbox/processed-message.entity';
export * from './outbox/outbox';
export * from './outbox/outbox-event.entity';
export * from './messaging-tables.migration';
export * from './nest/event-context';
export * from './nest/envelope.pipe';
export * from './nest/rpc-error-pass-through.filter';
export * from './nest/easgate-transport';
export * from './nest/messaging.module';

import { ProcessedMessageEntity } from './inbox/processed-message.entity';
import { OutboxEventEntity } from './outbox/outbox-event.entity';
import { MessagingTables1764100000000 } from './messaging-tables.migration';

/** What a service adds to its database options to get an inbox and an outbox. */
export const messagingEntities = [ProcessedMessageEntity, OutboxEventEntity];
export const messagingMigrations = [MessagingTables1764100000000];
export * from './bulk-sql';

import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ExchangeCommandV1, mailboxKey, Topics } from '@easgate/contracts';
import { type Envelope, EnvelopePipe, EventContext, Inbox } from '@easgate/messaging';
import { CommandProcessor } from '../application/command-processor';
import { CommandLogRepository } from '../infra/persistence/command-log.repository';
import { SERVED_TENANTS } from '../tokens';

/**
 * Validate → dedupe (inbox, and the command log by commandId) → record as pending. The processor
 * then works the mailbox once its commands have been quiet for a short window, measured on their
 * writing time as this partition is read, so a burst of changes becomes one Exchange call.
 */
@Controller()
export class ExchangeCommandHandler {
  constructor(
    @Inject(Inbox) private readonly inbox: Inbox,
    @Inject(CommandLogRepository) private readonly log: CommandLogRepository,
    @Inject(CommandProcessor) private readonly processor: CommandProcessor,
    @Inject(SERVED_TENANTS) private readonly servedTenants: readonly string[],
  ) {}

  @EventPattern(Topics.ExchangeCommand)
  async handle(
    @Payload(new EnvelopePipe(ExchangeCommandV1)) event: Envelope<ExchangeCommandV1>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    if (this.servedTenants.length > 0 && !this.servedTenants.includes(event.data.tenant.toLowerCase()))
      return;
    const key = mailboxKey(event.data.tenant, event.data.mailbox);
    const arrival = {
      writtenAt: Date.parse(event.time),
      stream: `${ctx.topic}/${ctx.delivery.message.partition}`,
    };
    await this.processor.intake(key, arrival, () =>
      this.inbox.once(event, (tx) =>
        this.log.accept(tx, key, event.data, {
          id: event.id,
          source: event.source,
          type: event.type,
          time: event.time,
          ...(event.subject !== undefined && { subject: event.subject }),
        }),
      ),
    );
  }
}

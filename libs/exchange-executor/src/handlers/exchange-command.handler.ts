import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ExchangeCommandV1, mailboxKey, Topics } from '@easgate/contracts';
import { BATCH, type Envelope, EnvelopeBatchPipe, EventContext, Inbox } from '@easgate/messaging';
import { CommandProcessor } from '../application/command-processor';
import { CommandLogRepository } from '../infra/persistence/command-log.repository';
import { SERVED_TENANTS } from '../tokens';

/**
 * One partition's commands in a batch: validate → dedupe (inbox, and the command log by
 * commandId) → record as pending, in ONE transaction of a few statements whatever the batch's
 * size. The processor then works each mailbox once its commands have been quiet for a short
 * window, measured on their writing time as this partition is read, so a burst of changes becomes
 * one Exchange call. An invalid command fails the call and is isolated by the delivery pipeline's
 * bisection: dead-lettered alone.
 */
@Controller()
export class ExchangeCommandHandler {
  constructor(
    @Inject(Inbox) private readonly inbox: Inbox,
    @Inject(CommandLogRepository) private readonly log: CommandLogRepository,
    @Inject(CommandProcessor) private readonly processor: CommandProcessor,
    @Inject(SERVED_TENANTS) private readonly servedTenants: readonly string[],
  ) {}

  @EventPattern(Topics.ExchangeCommand, BATCH)
  async handle(
    @Payload(new EnvelopeBatchPipe(ExchangeCommandV1)) events: Envelope<ExchangeCommandV1>[],
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    const served = events.filter(
      (e) => this.servedTenants.length === 0 || this.servedTenants.includes(e.data.tenant.toLowerCase()),
    );
    if (served.length === 0) return;
    const stream = `${ctx.topic}/${ctx.delivery.message.partition}`;
    const commands = served.map((event) => ({
      key: mailboxKey(event.data.tenant, event.data.mailbox),
      arrival: { writtenAt: Date.parse(event.time), stream },
    }));
    await this.processor.intake(commands, () =>
      this.inbox.onceEach(served, (tx, fresh) =>
        this.log.acceptMany(
          tx,
          fresh.map((event) => ({
            mailboxKey: mailboxKey(event.data.tenant, event.data.mailbox),
            command: event.data,
            origin: {
              id: event.id,
              source: event.source,
              type: event.type,
              time: event.time,
              ...(event.subject !== undefined && { subject: event.subject }),
            },
          })),
        ),
      ),
    );
  }
}

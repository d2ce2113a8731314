import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ExchangeEventTypes, ExchangeInventoryV1, Topics } from '@easgate/contracts';
import { type Envelope, EnvelopePipe, Inbox } from '@easgate/messaging';
import { PolicyTranslator } from '../policy-translator';

@Controller()
export class ExchangeInventoryHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly translator: PolicyTranslator,
  ) {}

  @EventPattern(Topics.ExchangeInventory)
  handle(
    @Payload(new EnvelopePipe(ExchangeInventoryV1, ExchangeEventTypes.Inventory))
    event: Envelope<ExchangeInventoryV1>,
  ) {
    return this.inbox.once(event, (tx) => this.translator.applyInventory(tx, event));
  }
}

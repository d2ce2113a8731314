import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ExchangeEventTypes, ExchangeResultV1, Topics } from '@easgate/contracts';
import { type Envelope, EnvelopePipe, Inbox } from '@easgate/messaging';
import { PolicyTranslator } from '../policy-translator';

@Controller()
export class ExchangeResultHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly translator: PolicyTranslator,
  ) {}

  @EventPattern(Topics.ExchangeResult)
  handle(
    @Payload(new EnvelopePipe(ExchangeResultV1, ExchangeEventTypes.Result)) event: Envelope<ExchangeResultV1>,
  ) {
    return this.inbox.once(event, (tx) => this.translator.applyResult(tx, event));
  }
}

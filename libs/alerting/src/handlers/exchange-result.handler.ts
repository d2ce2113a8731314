import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ExchangeResultV1, Topics } from '@easgate/contracts';
import { type Envelope, EnvelopePipe, Inbox } from '@easgate/messaging';
import { SignalIntake } from '../application/signal-intake';

@Controller()
export class ExchangeResultHandler {
  constructor(
    @Inject(Inbox) private readonly inbox: Inbox,
    @Inject(SignalIntake) private readonly intake: SignalIntake,
  ) {}

  @EventPattern(Topics.ExchangeResult)
  handle(@Payload(new EnvelopePipe(ExchangeResultV1)) event: Envelope<ExchangeResultV1>) {
    return this.inbox.once(event, (tx) => this.intake.exchangeResult(event.data, tx));
  }
}

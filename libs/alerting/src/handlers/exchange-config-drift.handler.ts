import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ExchangeConfigDriftV1, Topics } from '@easgate/contracts';
import { type Envelope, EnvelopePipe, Inbox } from '@easgate/messaging';
import { SignalIntake } from '../application/signal-intake';

@Controller()
export class ExchangeConfigDriftHandler {
  constructor(
    @Inject(Inbox) private readonly inbox: Inbox,
    @Inject(SignalIntake) private readonly intake: SignalIntake,
  ) {}

  @EventPattern(Topics.ExchangeConfigDrift)
  handle(@Payload(new EnvelopePipe(ExchangeConfigDriftV1)) event: Envelope<ExchangeConfigDriftV1>) {
    return this.inbox.once(event, (tx) => this.intake.configDrift(event.data, tx));
  }
}

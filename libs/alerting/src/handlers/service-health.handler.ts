import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ServiceHealthV1, Topics } from '@easgate/contracts';
import { type Envelope, EnvelopePipe, Inbox } from '@easgate/messaging';
import { SignalIntake } from '../application/signal-intake';

@Controller()
export class ServiceHealthHandler {
  constructor(
    @Inject(Inbox) private readonly inbox: Inbox,
    @Inject(SignalIntake) private readonly intake: SignalIntake,
  ) {}

  @EventPattern(Topics.ServiceHealth)
  handle(@Payload(new EnvelopePipe(ServiceHealthV1)) event: Envelope<ServiceHealthV1>) {
    return this.inbox.once(event, (tx) => this.intake.health(event.data, tx));
  }
}

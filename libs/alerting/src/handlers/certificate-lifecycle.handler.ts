import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CertificateLifecycleV1, Topics } from '@easgate/contracts';
import { type Envelope, EnvelopePipe, Inbox } from '@easgate/messaging';
import { SignalIntake } from '../application/signal-intake';

@Controller()
export class CertificateLifecycleHandler {
  constructor(
    @Inject(Inbox) private readonly inbox: Inbox,
    @Inject(SignalIntake) private readonly intake: SignalIntake,
  ) {}

  @EventPattern(Topics.CertificateLifecycle)
  handle(@Payload(new EnvelopePipe(CertificateLifecycleV1)) event: Envelope<CertificateLifecycleV1>) {
    return this.inbox.once(event, (tx) => this.intake.certificate(event.data, tx));
  }
}

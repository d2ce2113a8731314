import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MdmComplianceV1, MdmEventTypes, Topics } from '@easgate/contracts';
import { type Envelope, EnvelopePipe, Inbox } from '@easgate/messaging';
import { PolicyTranslator } from '../policy-translator';

@Controller()
export class MdmComplianceHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly translator: PolicyTranslator,
  ) {}

  @EventPattern(Topics.MdmCompliance)
  handle(
    @Payload(new EnvelopePipe(MdmComplianceV1, MdmEventTypes.DeviceCompliance))
    event: Envelope<MdmComplianceV1>,
  ) {
    return this.inbox.once(event, (tx) => this.translator.applyCompliance(tx, event));
  }
}

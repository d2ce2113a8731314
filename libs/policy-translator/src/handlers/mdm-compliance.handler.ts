import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MdmComplianceV1, MdmEventTypes, Topics } from '@easgate/contracts';
import { BATCH, type Envelope, EnvelopeBatchPipe, Inbox } from '@easgate/messaging';
import { PolicyTranslator } from '../policy-translator';

/**
 * MDM verdicts in batches: one partition's ready events in ONE transaction (inbox dedupe, the
 * translator's bulk path, the outbox). An invalid event fails the call and is isolated by the
 * delivery pipeline's bisection: dead-lettered alone, the others handled once.
 */
@Controller()
export class MdmComplianceHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly translator: PolicyTranslator,
  ) {}

  @EventPattern(Topics.MdmCompliance, BATCH)
  handle(
    @Payload(new EnvelopeBatchPipe(MdmComplianceV1, MdmEventTypes.DeviceCompliance))
    events: Envelope<MdmComplianceV1>[],
  ) {
    return this.inbox.onceEach(events, (tx, fresh) => this.translator.applyComplianceBatch(tx, fresh));
  }
}

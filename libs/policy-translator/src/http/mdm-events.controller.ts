import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CloudEvent, encodeStructured, Topics } from '@easgate/contracts';
import { MESSAGE_PUBLISHER, type MessagePublisher } from '@easgate/messaging';
import { TranslatorError, TranslatorErrorCode } from '../domain';
import { checkedInHandler } from '@easgate/identity';
import { Access, assertMayActFor, Caller } from '@easgate/service-runtime';
import type { Identity } from '@easgate/identity';

function keyOf(event: Record<string, unknown>): string | null {
  const data = event['data'] as Record<string, unknown> | undefined;
  const key = event['subject'] ?? data?.['mdmDeviceId'];
  return typeof key === 'string' ? key : null;
}

/**
 * Puts structured-mode CloudEvents on the MDM topic for MDMs (and `easgate mdm send`) that cannot
 * reach Kafka, e.g. the embedded in-process bus. They are validated by the consumer like any other:
 * what is invalid ends on the dead-letter topic with the reason.
 */
@ApiTags('mdm')
@ApiBearerAuth()
@Controller('v1/mdm/events')
export class MdmEventsController {
  constructor(@Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher) {}

  @Post()
  @Access('mdm-publisher', checkedInHandler("each event's tenant must be granted to the publisher"))
  @HttpCode(202)
  @ApiOperation({
    summary: 'Publish MDM compliance CloudEvents (one, or an array) to easgate.mdm.compliance.v1',
  })
  @ApiBody({ schema: { type: 'object', description: 'a CloudEvent (structured JSON) or an array of them' } })
  async publish(@Body() body: unknown, @Caller() caller: Identity) {
    const events = Array.isArray(body) ? (body as unknown[]) : [body];
    if (
      events.length === 0 ||
      events.length > 1000 ||
      events.some((e) => typeof e !== 'object' || e === null)
    ) {
      throw new TranslatorError(
        TranslatorErrorCode.InvalidRequest,
        'body must be a CloudEvent object or an array of 1-1000 of them',
      );
    }
    // A publisher speaks only for its tenants: one event for another tenant refuses the whole request.
    for (const e of events as Record<string, unknown>[])
      assertMayActFor(caller, typeof e['tenant'] === 'string' ? e['tenant'] : '');
    const records = (events as Record<string, unknown>[]).map((e) =>
      encodeStructured(e as unknown as CloudEvent, keyOf(e)),
    );
    await this.publisher.publish(Topics.MdmCompliance, records);
    return { accepted: records.length };
  }
}

import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Topics } from '@easgate/contracts';
import { MESSAGE_PUBLISHER, type MessagePublisher } from '@easgate/messaging';
import { TranslatorError, TranslatorErrorCode } from '../domain';
import { checkedInHandler, type Identity } from '@easgate/identity';
import { Access, assertMayActFor, Caller } from '@easgate/service-runtime';
import { MdmEventsLimits, MdmEventsMediaType, mdmEventRecords } from './mdm-events.request';

const ACCEPTED_MEANS_STORED = [
  `**202 means stored.** The answer comes only once the events are durably on the bus: on Kafka, acknowledged`,
  `by every in-sync replica (idempotent producer, acks=all); on the embedded default, committed to the`,
  `in-process bus's SQLite log (fsynced). An event answered 202 is handled even if easgate dies right after.`,
  `Any other answer: nothing is acknowledged; send the request again (events are deduplicated by source and id,`,
  `so a resend never applies one twice). 503 MDM_EVENTS_NOT_STORED: the bus did not take them (on Kafka, part`,
  `of the batch may have been written): resend.`,
  '',
  `Bodies: \`${MdmEventsMediaType.Batch}\` (a JSON array of structured CloudEvents, CloudEvents batch mode),`,
  `\`${MdmEventsMediaType.Structured}\` (one event), or \`${MdmEventsMediaType.Json}\` (one event or an array).`,
  `At most ${MdmEventsLimits.maxEvents} events and ${MdmEventsLimits.maxBytes} bytes per request`,
  `(${MdmEventsLimits.maxJsonBytes} bytes in application/json); over that: 413 PAYLOAD_TOO_LARGE.`,
  `Every event is validated (attributes, type ${'`io.easgate.mdm.device.compliance`'}, data): one invalid event`,
  `rejects the whole request with 400 MDM_EVENT_INVALID naming each bad index and why — all or nothing.`,
].join(' ');

/**
 * MDM compliance events over HTTP, for MDMs (and `easgate mdm send|generate`) that cannot reach
 * Kafka, e.g. on the embedded default. A request is validated whole, then published in one call:
 * 202 only once the bus stored every event of it.
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
    summary: 'Publish MDM compliance CloudEvents (one, or a batch) to easgate.mdm.compliance.v1',
    description: ACCEPTED_MEANS_STORED,
  })
  @ApiConsumes(MdmEventsMediaType.Batch, MdmEventsMediaType.Structured, MdmEventsMediaType.Json)
  @ApiBody({
    schema: {
      oneOf: [
        { type: 'array', items: { type: 'object' }, maxItems: MdmEventsLimits.maxEvents },
        { type: 'object' },
      ],
      description: 'structured-mode CloudEvents of type io.easgate.mdm.device.compliance',
    },
  })
  @ApiResponse({ status: 202, description: 'every event of the request is stored: `{ accepted: n }`' })
  @ApiResponse({
    status: 400,
    description: 'MDM_EVENT_INVALID (which events, why) or TRANSLATOR_INVALID_REQUEST',
  })
  @ApiResponse({ status: 413, description: 'PAYLOAD_TOO_LARGE: over the events or bytes limit' })
  @ApiResponse({ status: 415, description: 'MDM_UNSUPPORTED_MEDIA_TYPE' })
  @ApiResponse({ status: 503, description: 'MDM_EVENTS_NOT_STORED: the bus did not acknowledge; resend' })
  @ApiResponse({ status: 403, description: "FORBIDDEN: an event's tenant is not granted to the publisher" })
  async publish(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Caller() caller: Identity,
  ) {
    const records = mdmEventRecords(body, contentType, (tenant) => assertMayActFor(caller, tenant));
    try {
      await this.publisher.publish(Topics.MdmCompliance, records);
    } catch (err) {
      throw new TranslatorError(
        TranslatorErrorCode.EventsNotStored,
        `the bus did not store the events (${err instanceof Error ? err.message : String(err)}): nothing is acknowledged, send them again`,
        true,
      );
    }
    return { accepted: records.length };
  }
}

import {
  type CloudEvent,
  cloudEventAttributesSchema,
  describeIssues,
  encodeStructured,
  type KafkaRecord,
  MdmComplianceV1,
  MdmEventTypes,
} from '@easgate/contracts';
import { TranslatorError, TranslatorErrorCode } from '../domain';

/** The media types the ingestion route takes (CloudEvents JSON event format, structured and batch mode). */
export const MdmEventsMediaType = {
  /** One event, or an array of them, as the route has always taken. */
  Json: 'application/json',
  /** One structured-mode event. */
  Structured: 'application/cloudevents+json',
  /** A JSON array of structured-mode events (CloudEvents JSON batch format). */
  Batch: 'application/cloudevents-batch+json',
} as const;

/**
 * What one request may carry. `application/json` bodies are parsed by the runtime's JSON parser, whose
 * limit (1 MiB, about 1,900 events; the translator's ServiceDefinition.bodyLimit) is the smaller one:
 * batch mode is the way to send many.
 */
export const MdmEventsLimits = {
  maxEvents: 5_000,
  /** Bodies in the CloudEvents media types. */
  maxBytes: 4 * 1024 * 1024,
  /** Bodies in `application/json`: the runtime's JSON body limit, set from here (ServiceDefinition.bodyLimit). */
  maxJsonBytes: 1024 * 1024,
} as const;

/** At most this many invalid events are described in a 400 (the count is always given). */
const DESCRIBED_ISSUES = 10;

export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? MdmEventsMediaType.Json).split(';')[0].trim().toLowerCase();
}

/** `undefined` when valid, else why, naming the field. */
function issueOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return 'must be a CloudEvent (a JSON object)';
  const attributes = cloudEventAttributesSchema.safeParse(event);
  if (!attributes.success) return describeIssues(attributes.error);
  if (attributes.data.type !== MdmEventTypes.DeviceCompliance)
    return `type: "${attributes.data.type}" is not accepted here: expected "${MdmEventTypes.DeviceCompliance}"`;
  const data = MdmComplianceV1.safeParse((event as { data?: unknown }).data);
  if (!data.success) return describeIssues(data.error, 'data', 'data.');
  if (attributes.data.subject !== undefined && attributes.data.subject !== data.data.mdmDeviceId)
    return `subject: "${attributes.data.subject}" must equal data.mdmDeviceId "${data.data.mdmDeviceId}"`;
  return undefined;
}

function eventsOf(body: unknown, mediaType: string): unknown[] {
  switch (mediaType) {
    case MdmEventsMediaType.Batch:
      if (!Array.isArray(body))
        throw new TranslatorError(
          TranslatorErrorCode.InvalidRequest,
          `a ${MdmEventsMediaType.Batch} body must be a JSON array of structured CloudEvents`,
        );
      return body as unknown[];
    case MdmEventsMediaType.Structured:
      if (Array.isArray(body))
        throw new TranslatorError(
          TranslatorErrorCode.InvalidRequest,
          `a ${MdmEventsMediaType.Structured} body is one event: send arrays as ${MdmEventsMediaType.Batch}`,
        );
      return [body];
    case MdmEventsMediaType.Json:
      return Array.isArray(body) ? (body as unknown[]) : [body];
    default:
      throw new TranslatorError(
        TranslatorErrorCode.UnsupportedMediaType,
        `content-type "${mediaType}" is not accepted: send ${Object.values(MdmEventsMediaType).join(', ')}`,
      );
  }
}

/**
 * The records to publish for one request, keyed by device: all of them, or an error saying which
 * events (by index) are invalid and why, so that nothing of a bad batch is accepted.
 */
export function mdmEventRecords(
  body: unknown,
  contentType: string | undefined,
  authorizeTenant: (tenant: string) => void = () => undefined,
): KafkaRecord[] {
  const events = eventsOf(body, mediaTypeOf(contentType));
  if (events.length === 0)
    throw new TranslatorError(TranslatorErrorCode.InvalidRequest, 'the body holds no event');
  if (events.length > MdmEventsLimits.maxEvents)
    throw new TranslatorError(
      TranslatorErrorCode.PayloadTooLarge,
      `${events.length} events in one request, over the limit of ${MdmEventsLimits.maxEvents}: split the batch`,
    );
  const issues = events.flatMap((event, index) => {
    const issue = issueOf(event);
    return issue === undefined ? [] : [`events[${index}]: ${issue}`];
  });
  if (issues.length > 0)
    throw new TranslatorError(
      TranslatorErrorCode.InvalidEvent,
      `${issues.length} of ${events.length} events are invalid, so none was accepted: ${issues
        .slice(0, DESCRIBED_ISSUES)
        .join(
          '; ',
        )}${issues.length > DESCRIBED_ISSUES ? `; and ${issues.length - DESCRIBED_ISSUES} more` : ''}`,
    );
  // A publisher speaks only for its tenants: one event for another tenant refuses the whole request.
  // The tenant acted on is the data's; an envelope `tenant` extension, when present, must be granted too.
  for (const event of events as CloudEvent<MdmComplianceV1>[]) {
    authorizeTenant(event.data.tenant);
    if (event.tenant !== undefined && event.tenant !== event.data.tenant) authorizeTenant(event.tenant);
  }
  // Every event is valid here; the key is the device, as the contract says.
  return (events as CloudEvent<MdmComplianceV1>[]).map((event) =>
    encodeStructured(event, event.subject ?? event.data.mdmDeviceId),
  );
}

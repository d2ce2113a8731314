import { type z } from 'zod';
import {
  type CloudEvent,
  CONTEXT_ATTRIBUTES,
  cloudEventAttributesSchema,
  describeIssues,
} from './cloud-event';

/**
 * The CloudEvents Kafka protocol binding (cloudevents/spec kafka-protocol-binding.md, v1.0.2):
 * structured mode (`content-type: application/cloudevents+json`, the whole event in the value)
 * and binary mode (`ce_*` headers, the data alone in the value).
 */
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';
const HEADER_PREFIX = 'ce_';

export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type KafkaHeaders = Record<string, HeaderValue>;

/** A Kafka record as both kafkajs and the in-process bus see it. */
export interface KafkaRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export type ContentMode = 'structured' | 'binary';

export enum CloudEventDecodeErrorCode {
  EmptyValue = 'EVENT_EMPTY_VALUE',
  NotCloudEvent = 'EVENT_NOT_CLOUDEVENT',
  InvalidJson = 'EVENT_INVALID_JSON',
  InvalidAttributes = 'EVENT_INVALID_ATTRIBUTES',
  InvalidData = 'EVENT_INVALID_DATA',
  UnsupportedContentType = 'EVENT_UNSUPPORTED_CONTENT_TYPE',
}

export interface CloudEventDecodeError {
  code: CloudEventDecodeErrorCode;
  message: string;
}

export type Decoded<T> =
  { ok: true; event: CloudEvent<T>; mode: ContentMode } | { ok: false; error: CloudEventDecodeError };

export function headerString(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

export function normalizeHeaders(headers: KafkaHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const text = headerString(value);
    if (text !== undefined) out[name.toLowerCase()] = text;
  }
  return out;
}

function stringifyExtension(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Structured mode: the event as JSON in the value. */
export function encodeStructured<T>(event: CloudEvent<T>, key: string | null): KafkaRecord {
  return {
    key,
    value: Buffer.from(JSON.stringify(event), 'utf8'),
    headers: { 'content-type': STRUCTURED_CONTENT_TYPE },
  };
}

/** Binary mode: attributes as `ce_*` headers, `data` as the value (JSON). */
export function encodeBinary<T>(event: CloudEvent<T>, key: string | null): KafkaRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || name === 'datacontenttype' || value === undefined) continue;
    headers[`${HEADER_PREFIX}${name}`] = stringifyExtension(value);
  }
  headers['content-type'] = event.datacontenttype ?? 'application/json';
  return { key, value: Buffer.from(JSON.stringify(event.data), 'utf8'), headers };
}

function fail(code: CloudEventDecodeErrorCode, message: string): { ok: false; error: CloudEventDecodeError } {
  return { ok: false, error: { code, message } };
}

function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const media = contentType.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json') || media === 'text/json';
}

/**
 * Reads a CloudEvent from a Kafka record in either content mode. Attributes are checked here;
 * `data` is checked by the consumer's own schema with {@link parseEventData}.
 */
export function decodeCloudEvent(record: KafkaRecord): Decoded<unknown> {
  const headers = record.headers;
  const contentType = headers['content-type'];
  const structured = contentType?.toLowerCase().startsWith('application/cloudevents') ?? false;

  if (structured) {
    if (!contentType.toLowerCase().startsWith('application/cloudevents+json')) {
      return fail(
        CloudEventDecodeErrorCode.UnsupportedContentType,
        `structured content type "${contentType}" is not supported: use application/cloudevents+json`,
      );
    }
    if (record.value === null || record.value.length === 0) {
      return fail(CloudEventDecodeErrorCode.EmptyValue, 'structured-mode event has an empty value');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.value.toString('utf8'));
    } catch (err) {
      return fail(
        CloudEventDecodeErrorCode.InvalidJson,
        `structured-mode value is not valid JSON: ${(err as Error).message}`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return fail(CloudEventDecodeErrorCode.NotCloudEvent, 'structured-mode value must be a JSON object');
    }
    const attributes = cloudEventAttributesSchema.safeParse(parsed);
    if (!attributes.success) {
      return fail(CloudEventDecodeErrorCode.InvalidAttributes, describeIssues(attributes.error));
    }
    const raw = parsed as Record<string, unknown>;
    let data: unknown = raw['data'];
    if (data === undefined && typeof raw['data_base64'] === 'string') {
      data = Buffer.from(raw['data_base64'], 'base64');
    }
    return { ok: true, mode: 'structured', event: { ...(raw as object), ...attributes.data, data } };
  }

  if (headers[`${HEADER_PREFIX}specversion`] === undefined) {
    return fail(
      CloudEventDecodeErrorCode.NotCloudEvent,
      'not a CloudEvent: expected content-type application/cloudevents+json (structured mode) or ce_specversion and the other ce_* headers (binary mode)',
    );
  }
  const attributesInput: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(HEADER_PREFIX)) attributesInput[name.slice(HEADER_PREFIX.length)] = value;
  }
  if (contentType !== undefined) attributesInput['datacontenttype'] = contentType;
  const attributes = cloudEventAttributesSchema.safeParse(attributesInput);
  if (!attributes.success) {
    return fail(
      CloudEventDecodeErrorCode.InvalidAttributes,
      describeIssues(attributes.error, '(headers)', HEADER_PREFIX),
    );
  }
  let data: unknown = null;
  if (record.value !== null && record.value.length > 0) {
    if (!isJsonContentType(contentType)) {
      data = record.value;
    } else {
      try {
        data = JSON.parse(record.value.toString('utf8'));
      } catch (err) {
        return fail(
          CloudEventDecodeErrorCode.InvalidJson,
          `binary-mode data is not valid JSON (content-type ${contentType ?? 'unset'}): ${(err as Error).message}`,
        );
      }
    }
  }
  const extensions = Object.fromEntries(
    Object.entries(attributesInput).filter(
      ([name]) => !(CONTEXT_ATTRIBUTES as readonly string[]).includes(name),
    ),
  );
  return { ok: true, mode: 'binary', event: { ...extensions, ...attributes.data, data } };
}

/** Checks an event's `data` against the consumer's schema. */
export function parseEventData<S extends z.ZodType>(
  event: CloudEvent<unknown>,
  schema: S,
): { ok: true; event: CloudEvent<z.output<S>> } | { ok: false; error: CloudEventDecodeError } {
  const result = schema.safeParse(event.data);
  if (!result.success) {
    return fail(
      CloudEventDecodeErrorCode.InvalidData,
      `event ${event.type} (id ${event.id}) has invalid data: ${describeIssues(result.error, 'data', 'data.')}`,
    );
  }
  return { ok: true, event: { ...event, data: result.data } };
}

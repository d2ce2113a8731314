import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * CloudEvents 1.0 envelope (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md)
 * with the `tenant` extension attribute. Every easgate message is one of these.
 */
export interface CloudEvent<T = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly subject?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  /** Extension: the Entra tenant (GUID or *.onmicrosoft.com) the event belongs to. */
  readonly tenant?: string;
  readonly data: T;
}

/** Context attributes whose names are reserved by the spec or by easgate. */
export const CONTEXT_ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'datacontenttype',
  'dataschema',
  'tenant',
] as const;

const rfc3339 = z.iso.datetime({ offset: true });

export const cloudEventAttributesSchema = z.object({
  specversion: z.literal('1.0', { error: 'specversion must be "1.0"' }),
  id: z.string().min(1, 'id must be a non-empty string'),
  source: z.string().min(1, 'source must be a non-empty URI-reference'),
  type: z.string().min(1, 'type must be a non-empty string'),
  time: rfc3339,
  subject: z.string().min(1).optional(),
  datacontenttype: z.string().min(1).optional(),
  dataschema: z.string().min(1).optional(),
  tenant: z.string().min(1).optional(),
});

/** A schema for a whole event whose `data` follows `data`. */
export function cloudEventSchema<D extends z.ZodType>(data: D) {
  return cloudEventAttributesSchema.extend({ data });
}

export interface NewCloudEvent<T> {
  source: string;
  type: string;
  data: T;
  subject?: string;
  tenant?: string;
  id?: string;
  time?: Date | string;
  dataschema?: string;
}

/** Builds an event with a fresh id and the current time unless given. */
export function createCloudEvent<T>(input: NewCloudEvent<T>): CloudEvent<T> {
  const time =
    input.time instanceof Date ? input.time.toISOString() : (input.time ?? new Date().toISOString());
  return {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source,
    type: input.type,
    time,
    datacontenttype: 'application/json',
    ...(input.subject !== undefined && { subject: input.subject }),
    ...(input.tenant !== undefined && { tenant: input.tenant }),
    ...(input.dataschema !== undefined && { dataschema: input.dataschema }),
    data: input.data,
  };
}

/** Renders zod issues as one line a producer can act on: which field, what was expected. */
export function describeIssues(error: z.ZodError, root = '(event)', prefix = ''): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? prefix + issue.path.join('.') : root}: ${issue.message}`)
    .join('; ');
}

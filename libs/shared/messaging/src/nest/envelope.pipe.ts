import type { PipeTransform } from '@nestjs/common';
import { type CloudEvent, EasgateError, parseEventData } from '@easgate/contracts';
import type { z } from 'zod';

export type Envelope<T> = CloudEvent<T>;

/** Validates an event's `data` against its contract schema; a failure is dead-lettered, not retried. */
export class EnvelopePipe<S extends z.ZodType> implements PipeTransform<
  CloudEvent<unknown>,
  CloudEvent<z.output<S>>
> {
  constructor(
    private readonly schema: S,
    private readonly expectedType?: string,
  ) {}

  transform(value: CloudEvent<unknown>): CloudEvent<z.output<S>> {
    if (this.expectedType !== undefined && value.type !== this.expectedType) {
      throw new EasgateError(
        'EVENT_UNEXPECTED_TYPE',
        `event type "${value.type}" is not accepted here: expected "${this.expectedType}"`,
      );
    }
    const parsed = parseEventData(value, this.schema);
    if (!parsed.ok) throw new EasgateError(parsed.error.code, parsed.error.message);
    return parsed.event;
  }
}

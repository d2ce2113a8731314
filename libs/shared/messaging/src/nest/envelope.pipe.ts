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

/**
 * EnvelopePipe for a batch handler (`@EventPattern(topic, { batch: true })`): validates every
 * event of the batch. An invalid one fails the whole call with its own error, and the delivery
 * pipeline bisects the batch until that event is alone: it is dead-lettered with that reason,
 * the others are handled.
 */
export class EnvelopeBatchPipe<S extends z.ZodType> implements PipeTransform<
  CloudEvent<unknown>[],
  CloudEvent<z.output<S>>[]
> {
  private readonly one: EnvelopePipe<S>;

  constructor(schema: S, expectedType?: string) {
    this.one = new EnvelopePipe(schema, expectedType);
  }

  transform(values: CloudEvent<unknown>[]): CloudEvent<z.output<S>>[] {
    return values.map((value) => this.one.transform(value));
  }
}

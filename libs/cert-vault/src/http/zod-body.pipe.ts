import { type PipeTransform } from '@nestjs/common';
import { describeIssues } from '@easgate/contracts';
import { z } from 'zod';
import { VaultError, VaultErrorCode } from '../domain/vault-error';

/** Validates a request body (or query) with a zod schema: 400 INVALID_REQUEST naming the bad fields. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (!parsed.success)
      throw new VaultError(VaultErrorCode.InvalidRequest, describeIssues(parsed.error, '(body)'));
    return parsed.data;
  }
}

/** The JSON schema of a zod schema, for @ApiBody / @ApiResponse. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return json;
}

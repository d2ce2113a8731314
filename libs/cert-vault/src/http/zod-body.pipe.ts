import { type PipeTransform } from '@nestjs/common';
import { parseInput } from '@easgate/service-runtime';
import { z } from 'zod';
import { VaultError, VaultErrorCode } from '../domain/vault-error';

/** Validates a request body (or query) with a zod schema: 400 INVALID_REQUEST naming the bad fields. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parseInput(
      this.schema,
      value ?? {},
      (issues) => new VaultError(VaultErrorCode.InvalidRequest, issues),
    );
  }
}

/** The OpenAPI 3.0 schema of a zod schema, for @ApiBody / @ApiResponse. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    // OpenAPI 3.0's schema dialect: literals become enums (3.0 has no `const`), nullable instead of type lists.
    target: 'openapi-3.0',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return json;
}

import { describeIssues } from '@easgate/contracts';
import type { z } from 'zod';

/**
 * Parses what a caller sent (a request body, a query, rules) with its zod schema. A bad value throws the
 * service's own error, built by `invalid` from one `path: message` per issue (`root` names the whole value).
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  invalid: (issues: string) => Error,
  root = '(body)',
): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalid(describeIssues(parsed.error, root));
}

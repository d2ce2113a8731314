import type { z } from 'zod';

/**
 * Parses a service's environment with its zod schema, once, before it starts. A bad configuration
 * throws the error `invalid` builds from every bad KEY, each named once; never a value (values may be secrets).
 */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
  invalid: (badKeys: string[]) => Error,
): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw invalid([...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))]);
}

import { readFileSync } from 'node:fs';

/** A mistake in how a command was called (flags, environment, files): each group maps it to its usage exit code. */
export class UsageError extends Error {}

/** Commander collector for a repeatable flag. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A flag that must be an integer of at least `min`. */
export function integerFlag(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min} (got '${text}')`);
  return n;
}

/** A file named on the command line; unreadable → a usage error naming the file (not its content). */
export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * The shape every error that crosses a handler boundary has: a stable `code`, a plain message,
 * and whether trying again may succeed. The messaging layer routes on `retriable`:
 * retriable → bounded retry; otherwise → the dead-letter topic with the code and message.
 */
export interface CodedError {
  readonly code: string;
  readonly message: string;
  readonly retriable: boolean;
}

export class EasgateError extends Error implements CodedError {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isCodedError(value: unknown): value is CodedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CodedError).code === 'string' &&
    typeof (value as CodedError).retriable === 'boolean'
  );
}

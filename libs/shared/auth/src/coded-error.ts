/**
 * An auth error with a stable code from its module's enum (scripts and the console rely on the codes)
 * and the class name as its `name`.
 */
export abstract class CodedAuthError<C extends string> extends Error {
  constructor(
    readonly code: C,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

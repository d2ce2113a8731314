/** Errors raised by the sandbox's domain; the HTTP layer maps each code to a wire response. */
export enum SandboxErrorCode {
  UnknownApp = 'UNKNOWN_APP',
  UnknownDevice = 'UNKNOWN_DEVICE',
  UnknownMailbox = 'UNKNOWN_MAILBOX',
  InvalidCertificate = 'INVALID_CERTIFICATE',
  InvalidRequest = 'INVALID_REQUEST',
}

export class SandboxError extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

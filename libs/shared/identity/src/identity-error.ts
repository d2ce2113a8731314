export enum IdentityErrorCode {
  ApiTokenTooShort = 'API_TOKEN_TOO_SHORT',
  CallersFileInvalid = 'CALLERS_FILE_INVALID',
  ServiceKeyInvalid = 'SERVICE_KEY_INVALID',
  TrustedServicesInvalid = 'TRUSTED_SERVICES_INVALID',
  FileTooOpen = 'FILE_PERMISSIONS_TOO_OPEN',
}

/** A configuration of identities that cannot be used: the service refuses to start. Never carries a secret. */
export class IdentityError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

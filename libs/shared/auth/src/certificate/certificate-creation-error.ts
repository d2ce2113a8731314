export enum CertificateCreationErrorCode {
  InvalidSubject = 'INVALID_SUBJECT',
  InvalidValidity = 'INVALID_VALIDITY',
  InvalidKeySize = 'INVALID_KEY_SIZE',
  EmptyPassword = 'EMPTY_PASSWORD',
}

export class CertificateCreationError extends Error {
  constructor(
    readonly code: CertificateCreationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateCreationError';
  }
}

import { CodedAuthError } from '../coded-error';

export enum CertificateCreationErrorCode {
  InvalidSubject = 'INVALID_SUBJECT',
  InvalidValidity = 'INVALID_VALIDITY',
  InvalidKeySize = 'INVALID_KEY_SIZE',
  EmptyPassword = 'EMPTY_PASSWORD',
}

export class CertificateCreationError extends CodedAuthError<CertificateCreationErrorCode> {}

import { CodedAuthError } from '../coded-error';

/** Stable codes for why a certificate file cannot be used. Scripts and the console rely on them: never rename. */
export enum CertificateErrorCode {
  WrongPassword = 'WRONG_PASSWORD',
  NotPkcs12 = 'NOT_PKCS12',
  UnsupportedEncryption = 'UNSUPPORTED_ENCRYPTION',
  NoCertificate = 'NO_CERTIFICATE',
  NoPrivateKey = 'NO_PRIVATE_KEY',
  KeyCertMismatch = 'KEY_CERT_MISMATCH',
  MultipleKeys = 'MULTIPLE_KEYS',
  NotRsa = 'NOT_RSA',
  RsaTooSmall = 'RSA_TOO_SMALL',
  Expired = 'EXPIRED',
  NotYetValid = 'NOT_YET_VALID',
  WeakSignatureAlgorithm = 'WEAK_SIGNATURE_ALGORITHM',
  /** Opening the file (its key derivation) took longer than the caller allows. */
  TimedOut = 'VALIDATION_TIMED_OUT',
}

/** Things an administrator should know about a usable certificate. */
export enum CertificateWarningCode {
  ExpiresSoon = 'EXPIRES_SOON',
  EmptyPassword = 'EMPTY_PASSWORD',
  NoDigitalSignatureUsage = 'NO_DIGITAL_SIGNATURE_USAGE',
  UnencryptedPrivateKey = 'UNENCRYPTED_PRIVATE_KEY',
  UnrelatedCertificates = 'UNRELATED_CERTIFICATES',
}

export class CertificateError extends CodedAuthError<CertificateErrorCode> {}

import { EasgateError } from '@easgate/contracts';

/** Every error the vault returns: a stable code and a plain message (never a secret). */
export enum VaultErrorCode {
  TenantConnectionNotFound = 'TENANT_CONNECTION_NOT_FOUND',
  TenantConnectionExists = 'TENANT_CONNECTION_EXISTS',
  TenantConnectionInUse = 'TENANT_CONNECTION_IN_USE',
  CertificateNotFound = 'CERTIFICATE_NOT_FOUND',
  CertificateExists = 'CERTIFICATE_EXISTS',
  CertificateRejected = 'CERTIFICATE_REJECTED',
  InvalidCertificateState = 'INVALID_CERTIFICATE_STATE',
  NoActiveCertificate = 'NO_ACTIVE_CERTIFICATE',
  AudienceNotAllowed = 'AUDIENCE_NOT_ALLOWED',
  InvalidRequest = 'INVALID_REQUEST',
  /** An authority, Exchange or Graph override on a host that is neither the cloud's nor admitted. */
  EndpointNotAllowed = 'ENDPOINT_NOT_ALLOWED',
  RotationNotFound = 'ROTATION_NOT_FOUND',
  RotationInProgress = 'ROTATION_IN_PROGRESS',
  InvalidRotationState = 'INVALID_ROTATION_STATE',
  /** A rotation without Graph goes on only once an administrator confirms the new .cer is in Entra. */
  UploadNotConfirmed = 'UPLOAD_NOT_CONFIRMED',
  GraphNotConfigured = 'GRAPH_NOT_CONFIGURED',
  IdentityPlatformError = 'IDENTITY_PLATFORM_ERROR',
  MasterKeyUnknown = 'MASTER_KEY_UNKNOWN',
  DecryptionFailed = 'DECRYPTION_FAILED',
}

export class VaultError extends EasgateError {
  constructor(
    override readonly code: VaultErrorCode,
    message: string,
    retriable = false,
  ) {
    super(code, message, retriable);
  }
}

/** HTTP status of each code (the runtime's filter asks). */
export function httpStatusOfVaultError(code: string): number | undefined {
  switch (code as VaultErrorCode) {
    case VaultErrorCode.TenantConnectionNotFound:
    case VaultErrorCode.CertificateNotFound:
    case VaultErrorCode.RotationNotFound:
      return 404;
    case VaultErrorCode.TenantConnectionExists:
    case VaultErrorCode.TenantConnectionInUse:
    case VaultErrorCode.CertificateExists:
    case VaultErrorCode.InvalidCertificateState:
    case VaultErrorCode.NoActiveCertificate:
    case VaultErrorCode.RotationInProgress:
    case VaultErrorCode.InvalidRotationState:
    case VaultErrorCode.UploadNotConfirmed:
      return 409;
    case VaultErrorCode.CertificateRejected:
      return 422;
    case VaultErrorCode.AudienceNotAllowed:
      return 403;
    case VaultErrorCode.InvalidRequest:
    case VaultErrorCode.EndpointNotAllowed:
    case VaultErrorCode.GraphNotConfigured:
      return 400;
    case VaultErrorCode.IdentityPlatformError:
      return 502;
    case VaultErrorCode.MasterKeyUnknown:
    case VaultErrorCode.DecryptionFailed:
      return 500;
  }
  return undefined;
}

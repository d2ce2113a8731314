import { EasgateError } from '@easgate/contracts';

/**
 * The executor's own error codes (Exchange's failures keep their ExchangeErrorCode); both are mapped
 * to HTTP in one exhaustive switch (`httpStatusOfExecutorError`).
 */
export enum ExecutorErrorCode {
  ConfigInvalid = 'EXECUTOR_CONFIG_INVALID',
  InvalidTenant = 'INVALID_TENANT',
  ScanNotFound = 'SCAN_NOT_FOUND',
  CommandNotFound = 'COMMAND_NOT_FOUND',
  /** The mailbox is outside the tenant's configured scope: refused, never sent. */
  OutOfScope = 'OUT_OF_SCOPE',
  /** A command kind the tenant has not enabled (a full wipe, by default): refused, never sent. */
  CommandKindNotEnabled = 'COMMAND_KIND_NOT_ENABLED',
  NoTenantConnection = 'EXO_NO_TENANT_CONNECTION',
  VaultUnavailable = 'EXO_VAULT_UNAVAILABLE',
  /** A wipe was being sent when the process stopped, and EXECUTOR_WIPE_RECOVERY=fail forbids re-sending it. */
  WipeOutcomeUnknown = 'WIPE_OUTCOME_UNKNOWN',
  /** Anything not coded (a bug, a dropped connection): retried. */
  Unexpected = 'UNEXPECTED_ERROR',
}

const RETRIABLE = new Set<ExecutorErrorCode>([
  ExecutorErrorCode.VaultUnavailable,
  ExecutorErrorCode.Unexpected,
]);

export class ExecutorError extends EasgateError {
  constructor(
    override readonly code: ExecutorErrorCode,
    message: string,
    retriable = RETRIABLE.has(code),
  ) {
    super(code, message, retriable);
  }
}

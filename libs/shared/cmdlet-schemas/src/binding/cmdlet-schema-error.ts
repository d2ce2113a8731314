/** Why a cmdlet call was refused before (client) or while (server) binding its parameters. */
export enum CmdletSchemaErrorCode {
  UnknownCmdlet = 'UNKNOWN_CMDLET',
  BadParametersObject = 'BAD_PARAMETERS_OBJECT',
  UnknownParameter = 'UNKNOWN_PARAMETER',
  DuplicateParameter = 'DUPLICATE_PARAMETER',
  BadType = 'BAD_TYPE',
  BadEnumValue = 'BAD_ENUM_VALUE',
  OutOfRange = 'OUT_OF_RANGE',
  NullNotAllowed = 'NULL_NOT_ALLOWED',
  BadFilter = 'BAD_FILTER',
  AmbiguousParameterSet = 'AMBIGUOUS_PARAMETER_SET',
  MissingRequired = 'MISSING_REQUIRED',
}

export interface CmdletSchemaError {
  readonly code: CmdletSchemaErrorCode;
  /** What Exchange would say (PowerShell/Exchange wording), for the sandbox's error bodies. */
  readonly message: string;
  /** Plain English for people, listing the valid names or values. */
  readonly hint: string;
  /** Exception type the admin API puts in `details[].message` (`<ErrorId>|<ExceptionType>|<text>`). */
  readonly exceptionType: string;
  /** Exchange error id (often empty). */
  readonly errorId: string;
  readonly cmdlet?: string;
  readonly parameter?: string;
}

// Exception types: AmbiguousParameterSetException is in the reference (§3.5, simulator item 9); the
// namespace of ParameterTransformationException and the System.Management.Automation ones are
// UNCONFIRMED (they follow PowerShell's own binder).
export const ExceptionTypes = {
  ambiguousParameterSet: 'Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException',
  parameterTransformation: 'Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException',
  parameterBinding: 'System.Management.Automation.ParameterBindingException',
  parameterBindingValidation: 'System.Management.Automation.ParameterBindingValidationException',
  commandNotFound: 'System.Management.Automation.CommandNotFoundException',
} as const;

/** The `details[].message` text of an admin API error body: `<ErrorId>|<ExceptionType>|<text>`. */
export function toAdminApiErrorDetail(error: CmdletSchemaError): string {
  return `${error.errorId}|${error.exceptionType}|${error.message}`;
}

/** One line per error, for logs and the CLI. */
export function describeCmdletSchemaErrors(errors: readonly CmdletSchemaError[]): string {
  return errors.map((error) => `${error.code}: ${error.hint}`).join('\n');
}

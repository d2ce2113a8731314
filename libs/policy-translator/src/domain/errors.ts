import { EasgateError } from '@easgate/contracts';

export enum TranslatorErrorCode {
  SubjectMismatch = 'MDM_SUBJECT_MISMATCH',
  InvalidRules = 'TRANSLATOR_INVALID_RULES',
  RulesVersionConflict = 'TRANSLATOR_RULES_VERSION_CONFLICT',
  DeviceNotFound = 'TRANSLATOR_DEVICE_NOT_FOUND',
  InvalidRequest = 'TRANSLATOR_INVALID_REQUEST',
  InvalidConfig = 'TRANSLATOR_INVALID_CONFIG',
  InvalidEvent = 'MDM_EVENT_INVALID',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'MDM_UNSUPPORTED_MEDIA_TYPE',
  EventsNotStored = 'MDM_EVENTS_NOT_STORED',
}

export class TranslatorError extends EasgateError {
  constructor(code: TranslatorErrorCode, message: string, retriable = false) {
    super(code, message, retriable);
  }
}

export function httpStatusOfTranslatorError(code: string): number | undefined {
  switch (code as TranslatorErrorCode) {
    case TranslatorErrorCode.DeviceNotFound:
      return 404;
    case TranslatorErrorCode.RulesVersionConflict:
      return 409;
    case TranslatorErrorCode.InvalidRules:
    case TranslatorErrorCode.InvalidRequest:
    case TranslatorErrorCode.SubjectMismatch:
    case TranslatorErrorCode.InvalidEvent:
      return 400;
    case TranslatorErrorCode.PayloadTooLarge:
      return 413;
    case TranslatorErrorCode.UnsupportedMediaType:
      return 415;
    case TranslatorErrorCode.EventsNotStored:
      return 503;
    case TranslatorErrorCode.InvalidConfig:
      return 500;
  }
  return undefined;
}

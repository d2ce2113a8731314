import { EasgateError } from '@easgate/contracts';

export enum AlertingErrorCode {
  AlertNotFound = 'ALERT_NOT_FOUND',
  SubscriptionNotFound = 'SUBSCRIPTION_NOT_FOUND',
  InvalidSubscription = 'SUBSCRIPTION_INVALID',
  /** A webhook or Alertmanager on a private, loopback, link-local or reserved address not admitted. */
  DestinationNotAllowed = 'DESTINATION_NOT_ALLOWED',
  InvalidRequest = 'ALERTING_INVALID_REQUEST',
  InvalidConfig = 'ALERTING_INVALID_CONFIG',
  DeliveryFailed = 'ALERT_DELIVERY_FAILED',
  /** A test alert's destination answered with a failure status (HTTP, SMTP). */
  DestinationRejected = 'DESTINATION_REJECTED',
  /** A test alert's destination could not be reached (refused, DNS, timeout, TLS). */
  DestinationUnreachable = 'DESTINATION_UNREACHABLE',
  SecretUnreadable = 'WEBHOOK_SECRET_UNREADABLE',
}

export class AlertingError extends EasgateError {
  constructor(code: AlertingErrorCode, message: string, retriable = false) {
    super(code, message, retriable);
  }
}

export function alertingHttpStatusOf(code: string): number | undefined {
  switch (code as AlertingErrorCode) {
    case AlertingErrorCode.AlertNotFound:
    case AlertingErrorCode.SubscriptionNotFound:
      return 404;
    case AlertingErrorCode.InvalidSubscription:
    case AlertingErrorCode.DestinationNotAllowed:
    case AlertingErrorCode.InvalidRequest:
      return 400;
    case AlertingErrorCode.DestinationRejected:
    case AlertingErrorCode.DestinationUnreachable:
      return 502;
    case AlertingErrorCode.InvalidConfig:
    case AlertingErrorCode.DeliveryFailed:
    case AlertingErrorCode.SecretUnreadable:
      return 500;
    default:
      return undefined;
  }
}

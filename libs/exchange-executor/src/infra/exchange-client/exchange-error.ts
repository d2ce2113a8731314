import { EasgateError } from '@easgate/contracts';
import { EXCHANGE_EXPLANATIONS } from '@easgate/validation-pipeline';

/** Every way a call to Exchange Online can fail, as a stable code (the Microsoft text stays in the message). */
export enum ExchangeErrorCode {
  // Token time (Microsoft identity platform, AADSTS codes).
  CertificateNotRegistered = 'EXO_CERTIFICATE_NOT_REGISTERED',
  AssertionRejected = 'EXO_ASSERTION_REJECTED',
  AppNotFound = 'EXO_APP_NOT_FOUND',
  ServicePrincipalMissing = 'EXO_SERVICE_PRINCIPAL_MISSING',
  TenantNotFound = 'EXO_TENANT_NOT_FOUND',
  TokenThrottled = 'EXO_TOKEN_THROTTLED',
  TokenRequestFailed = 'EXO_TOKEN_REQUEST_FAILED',
  /** The assertion provider (the vault, or the local certificate) could not sign. */
  AssertionUnavailable = 'EXO_ASSERTION_UNAVAILABLE',
  // Admin API.
  BadRequest = 'EXO_BAD_REQUEST',
  /**
   * 400 from Clear-MobileDevice: "The device '…' supports only an account-only wipe. Use the AccountOnly
   * parameter." (Outlook REST clients; reference §4.4: account-only is the only wipe type for Outlook).
   */
  AccountOnlyWipeRequired = 'EXO_ACCOUNT_ONLY_WIPE_REQUIRED',
  NotFound = 'EXO_NOT_FOUND',
  /** 401 "User is not allowed to call <Cmdlet>": RBAC refuses the cmdlet. */
  CmdletNotAllowed = 'EXO_CMDLET_NOT_ALLOWED',
  /** 401 without an RBAC message: the token was refused. */
  Unauthorized = 'EXO_UNAUTHORIZED',
  /** 403, often with an empty or NUL-byte body: no Exchange.ManageAsApp consent or no supported role. */
  MissingRole = 'EXO_MISSING_ROLE',
  Throttled = 'EXO_THROTTLED',
  Unavailable = 'EXO_UNAVAILABLE',
  ServerError = 'EXO_SERVER_ERROR',
  Timeout = 'EXO_TIMEOUT',
  Network = 'EXO_NETWORK',
  CircuitOpen = 'EXO_CIRCUIT_OPEN',
  InvalidInput = 'EXO_INVALID_INPUT',
  UnexpectedResponse = 'EXO_UNEXPECTED_RESPONSE',
}

const RETRIABLE = new Set<ExchangeErrorCode>([
  ExchangeErrorCode.TokenThrottled,
  ExchangeErrorCode.AssertionUnavailable,
  ExchangeErrorCode.Throttled,
  ExchangeErrorCode.Unavailable,
  ExchangeErrorCode.ServerError,
  ExchangeErrorCode.Timeout,
  ExchangeErrorCode.Network,
  ExchangeErrorCode.CircuitOpen,
]);

export class ExchangeError extends EasgateError {
  constructor(
    override readonly code: ExchangeErrorCode,
    message: string,
    readonly details: {
      status?: number;
      /** AADSTS number for token-time failures. */
      aadsts?: number;
      cmdlet?: string;
      /** Seconds the server asked to wait (429/503). */
      retryAfterSeconds?: number;
      /** `token`: the failure happened while getting the access token, before Exchange was called. */
      stage?: 'token';
      cause?: unknown;
    } = {},
  ) {
    super(
      code,
      message,
      RETRIABLE.has(code),
      details.cause !== undefined ? { cause: details.cause } : undefined,
    );
  }

  /**
   * What the admin must fix, when it is a configuration problem: the fix Validate Certificate shows
   * (@easgate/validation-pipeline); a retriable failure has none, waiting is the answer.
   */
  get fix(): string | undefined {
    return this.retriable ? undefined : EXCHANGE_EXPLANATIONS[this.code]?.fix;
  }
}

export function isExchangeError(value: unknown): value is ExchangeError {
  return value instanceof ExchangeError;
}

/** Maps an AADSTS number from a token error to a code (reference §1.4). */
export function codeOfAadsts(aadsts: number | undefined, status?: number): ExchangeErrorCode {
  switch (aadsts ?? 0) {
    case 700027:
      return ExchangeErrorCode.CertificateNotRegistered;
    case 700024:
    case 700021:
    case 700023:
    case 50027:
    case 5002738:
      return ExchangeErrorCode.AssertionRejected;
    case 700016:
      return ExchangeErrorCode.AppNotFound;
    case 7000229:
      return ExchangeErrorCode.ServicePrincipalMissing;
    case 90002:
      return ExchangeErrorCode.TenantNotFound;
    case 50196:
    case 90055:
      return ExchangeErrorCode.TokenThrottled;
    default:
      if (status === 429 || (status !== undefined && status >= 500)) return ExchangeErrorCode.TokenThrottled;
      return ExchangeErrorCode.TokenRequestFailed;
  }
}

// A 403 body was seen as NUL bytes (reference §3.5).
const isNulOrBlank = (body: string) => [...body].every((c) => c === '\u0000' || c.trim() === '');

/**
 * The text people need from an admin API error body, in the reference's order (§3.5):
 * innererror.internalexception.message → details[0].message (without `<ErrorId>|<Type>|`) →
 * error.message → the raw body.
 */
export function adminApiErrorText(body: string): { odataCode?: string; text: string } {
  if (isNulOrBlank(body)) return { text: '' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { text: body.slice(0, 500) };
  }
  const error = (json as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== 'object') return { text: body.slice(0, 500) };
  const odataCode = typeof error['code'] === 'string' ? error['code'] : undefined;
  const inner = error['innererror'] as { internalexception?: { message?: unknown } } | undefined;
  const internal = inner?.internalexception?.message;
  if (typeof internal === 'string' && internal) return { odataCode, text: internal };
  const details = error['details'] as { message?: unknown }[] | undefined;
  const detail = Array.isArray(details) ? details[0]?.message : undefined;
  if (typeof detail === 'string' && detail) {
    const parts = detail.split('|');
    return { odataCode, text: parts.length >= 3 ? parts.slice(2).join('|') : detail };
  }
  const message = error['message'];
  return { odataCode, text: typeof message === 'string' ? message : body.slice(0, 500) };
}

/** Exchange's answer to a full wipe of a client that only supports an account-only wipe. */
const ACCOUNT_ONLY_WIPE = /supports only an account-only wipe|Use the AccountOnly parameter/i;

/** The typed error for a non-2xx admin API response. */
export function errorOfResponse(
  status: number,
  body: string,
  cmdlet: string,
  retryAfterSeconds: number | undefined,
): ExchangeError {
  const { odataCode, text } = adminApiErrorText(body);
  const details = { status, cmdlet, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) };
  const said = (fallback: string) => (text ? text : fallback);
  if (status === 400 && ACCOUNT_ONLY_WIPE.test(text))
    return new ExchangeError(ExchangeErrorCode.AccountOnlyWipeRequired, text, details);
  if (status === 400) return new ExchangeError(ExchangeErrorCode.BadRequest, said('Bad request'), details);
  if (status === 404) return new ExchangeError(ExchangeErrorCode.NotFound, said('Not found'), details);
  if (status === 401) {
    if (/not allowed to call/i.test(text))
      return new ExchangeError(ExchangeErrorCode.CmdletNotAllowed, text, details);
    return new ExchangeError(
      ExchangeErrorCode.Unauthorized,
      said('Exchange refused the access token (401).'),
      details,
    );
  }
  if (status === 403)
    return new ExchangeError(
      ExchangeErrorCode.MissingRole,
      said(
        'Exchange answered 403 with an empty body: the app lacks Exchange.ManageAsApp consent or a supported directory role.',
      ),
      details,
    );
  if (status === 429)
    return new ExchangeError(ExchangeErrorCode.Throttled, said('Too many requests (429).'), details);
  if (status === 502 || status === 503 || status === 504)
    return new ExchangeError(
      ExchangeErrorCode.Unavailable,
      said(`Exchange unavailable (${status}).`),
      details,
    );
  if (status >= 500)
    return new ExchangeError(ExchangeErrorCode.ServerError, said(`Exchange error (${status}).`), details);
  return new ExchangeError(
    ExchangeErrorCode.UnexpectedResponse,
    `Unexpected HTTP ${status}${odataCode ? ` (${odataCode})` : ''}: ${text}`,
    details,
  );
}

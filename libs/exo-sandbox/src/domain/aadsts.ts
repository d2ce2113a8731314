/** One identity-platform failure, before the trace/correlation suffix is added. */
export interface AadstsFailure {
  status: number;
  error: string;
  code: number;
  /** Text after "AADSTS<code>: ". */
  message: string;
}

export interface AadstsErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** Entra's timestamp form: "YYYY-MM-DD HH:MM:SSZ". */
export function entraTimestamp(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Entra's 7-digit fractional ISO form, used inside AADSTS700024 messages. */
export function entraPreciseTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export function aadstsErrorBody(
  failure: AadstsFailure,
  nowMs: number,
  traceId: string,
  correlationId: string,
): AadstsErrorBody {
  const timestamp = entraTimestamp(nowMs);
  return {
    error: failure.error,
    error_description:
      `AADSTS${failure.code}: ${failure.message}` +
      `\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [failure.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${failure.code}`,
  };
}

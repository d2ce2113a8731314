import pino, { type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/**
 * Paths redacted in every log line, whatever logs them: secrets never reach a log.
 * (pino's redaction matches these keys at the top level and one level down.)
 */
export const REDACTED_PATHS = [
  'password',
  'privateKey',
  'pfx',
  'assertion',
  'clientAssertion',
  'client_assertion',
  'accessToken',
  'access_token',
  'token',
  'authorization',
  '*.password',
  '*.privateKey',
  '*.pfx',
  '*.assertion',
  '*.clientAssertion',
  '*.client_assertion',
  '*.accessToken',
  '*.access_token',
  '*.token',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

/** JSON logs (pino) with secrets redacted. LOG_LEVEL sets the level (default info; silent in tests). */
export function createLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  const level = process.env['LOG_LEVEL'] ?? (process.env['JEST_WORKER_ID'] ? 'silent' : 'info');
  return pino({
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: name, ...bindings },
  });
}

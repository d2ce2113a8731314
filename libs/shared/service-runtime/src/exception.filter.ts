import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { isCodedError } from '@easgate/contracts';
import type { Response } from 'express';
import { throwError } from 'rxjs';
import type { Logger } from '@easgate/messaging';

/**
 * One filter for both transports.
 *  - Events (rpc): hand the original error to the delivery pipeline (retry or dead letter).
 *  - HTTP: `{ code, message }` with a status from the service's mapping; never a stack trace.
 */
@Catch()
export class EasgateExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly statusOf: (code: string) => number | undefined = () => undefined,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() === 'rpc') return throwError(() => exception);
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message =
        typeof body === 'string'
          ? body
          : Array.isArray((body as { message?: unknown }).message)
            ? (body as { message: string[] }).message.join('; ')
            : typeof (body as { message?: unknown }).message === 'string'
              ? (body as { message: string }).message
              : exception.message;
      const code = (body as { code?: string }).code ?? HttpStatus[status] ?? 'HTTP_ERROR';
      response.status(status).json({ code, message });
      return;
    }
    const parserFailure = bodyParserFailure(exception);
    if (parserFailure) {
      response
        .status(parserFailure.status)
        .json({ code: parserFailure.code, message: parserFailure.message });
      return;
    }
    if (isCodedError(exception)) {
      const status = this.statusOf(exception.code) ?? (exception.retriable ? 503 : 400);
      if (status >= 500)
        this.logger.warn({ code: exception.code, reason: exception.message }, 'request failed');
      response.status(status).json({ code: exception.code, message: exception.message });
      return;
    }
    this.logger.error(
      {
        err:
          exception instanceof Error
            ? { message: exception.message, stack: exception.stack }
            : String(exception),
      },
      'unexpected error',
    );
    response
      .status(500)
      .json({ code: 'INTERNAL_ERROR', message: 'An unexpected error occurred; see the service log.' });
  }
}

/** body-parser's errors (http-errors with a `type`): a client's mistake, never a 500. */
function bodyParserFailure(
  exception: unknown,
): { status: number; code: string; message: string } | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { type, status } = exception as { type?: unknown; status?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status >= 500)
    return undefined;
  switch (type) {
    case 'entity.too.large':
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: 'the request body is larger than this route accepts',
      };
    case 'entity.parse.failed':
      return { status: 400, code: 'MALFORMED_BODY', message: 'the request body is not valid JSON' };
    default:
      return { status, code: 'INVALID_BODY', message: 'the request body cannot be read' };
  }
}

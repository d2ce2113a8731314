import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { isCodedError } from '@easgate/contracts';
import type { Response } from 'express';
import { throwError } from 'rxjs';
import type { Logger } from '@easgate/messaging';

/**
 * A request body the JSON parser refused (body-parser errors): a 4xx the client can act on, with
 * the limit it went over, never an unexplained 500.
 */
function requestBodyError(exception: unknown): { status: number; code: string; message: string } | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const failure = exception as { type?: unknown; limit?: unknown; length?: unknown; message?: unknown };
  switch (failure.type) {
    case 'entity.too.large':
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `the request body${typeof failure.length === 'number' ? ` (${failure.length} bytes)` : ''} is over this endpoint's limit of ${String(failure.limit)} bytes`,
      };
    case 'entity.parse.failed':
      return {
        status: 400,
        code: 'INVALID_JSON',
        message: `the request body is not valid JSON: ${String(failure.message)}`,
      };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: String(failure.message) };
    default:
      return undefined;
  }
}

/**
 * One filter for both transports.
 *  - Events (rpc): hand the original error to the delivery pipeline (retry or dead letter).
 *  - HTTP: `{ code, message }` with a status from the service's mapping (request bodies the JSON
 *    parser refused: 413 PAYLOAD_TOO_LARGE, 400 INVALID_JSON); never a stack trace.
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
    const bodyError = requestBodyError(exception);
    if (bodyError) {
      response.status(bodyError.status).json({ code: bodyError.code, message: bodyError.message });
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

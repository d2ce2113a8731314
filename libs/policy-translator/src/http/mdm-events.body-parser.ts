import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json } from 'express';
import { TranslatorError, TranslatorErrorCode } from '../domain';
import { MdmEventsLimits, MdmEventsMediaType } from './mdm-events.request';

interface BodyParserError {
  type?: string;
  length?: number;
  message?: string;
}

const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB (${bytes} bytes)`;

/**
 * Parses the CloudEvents media types of the ingestion route (the runtime parses only
 * `application/json`) up to {@link MdmEventsLimits.maxBytes}; an oversize or malformed body is a
 * coded error (413 PAYLOAD_TOO_LARGE, 400), never an unexplained 500.
 */
export function mdmEventsBodyParser(): RequestHandler {
  const parse = json({
    type: [MdmEventsMediaType.Batch, MdmEventsMediaType.Structured],
    limit: MdmEventsLimits.maxBytes,
  });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: unknown) => {
      if (err === undefined || err === null) return next();
      const failure = err as BodyParserError;
      if (failure.type === 'entity.too.large')
        return next(
          new TranslatorError(
            TranslatorErrorCode.PayloadTooLarge,
            `the body${failure.length !== undefined ? ` (${failure.length} bytes)` : ''} is over the limit of ${mebibytes(MdmEventsLimits.maxBytes)} per request (and at most ${MdmEventsLimits.maxEvents} events): split the batch`,
          ),
        );
      if (failure.type === 'entity.parse.failed')
        return next(
          new TranslatorError(
            TranslatorErrorCode.InvalidRequest,
            `the body is not valid JSON: ${failure.message ?? 'parse error'}`,
          ),
        );
      return next(err);
    });
}

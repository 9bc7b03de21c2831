import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../errors';
import { answerableCodes, routeOf } from '../route';
import { requestIdOf } from './request-log';
import { databaseUnavailable, UNAVAILABLE_RETRY_AFTER } from './unavailable';

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `No route for ${req.method} ${req.path}.`));
};

/** body-parser's failures, by its `type`, as the API's error codes. */
function fromBodyParser(error: { type?: string; status?: number }): AppError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', 'The request body is too large.');
    case 'entity.parse.failed':
      return new AppError('invalid_json', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', 'The request body encoding is not supported.');
    default:
      return error.status && error.status >= 400 && error.status < 500
        ? new AppError('validation_failed', 'The request could not be read.')
        : undefined;
  }
}

/** Logged when a route answers a code its declaration does not list (a bug: its clients cannot know it). */
export const UNDECLARED = 'answered an error code its route does not declare';

/**
 * The one error handler: known errors answer with their code; a database or disk that is
 * unavailable answers 503 with Retry-After; anything else is a generic 500 carrying the request
 * id, with the cause in the log and never in the answer.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = error instanceof AppError ? error : fromBodyParser(error as { type?: string; status?: number });
    const requestId = requestIdOf(res);
    const unavailable = known ? undefined : databaseUnavailable(error);
    if (unavailable) {
      logger.error(
        { err: error, reason: unavailable, requestId },
        `database unavailable (${unavailable}): answered 503`,
      );
      res.status(503).setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER)).json({
        error: 'service_unavailable',
        message: 'The database is unavailable; try again shortly.',
        request_id: requestId,
      });
      return;
    }
    if (!known) {
      logger.error({ err: error, requestId }, 'unhandled error');
      res
        .status(500)
        .json({ error: 'internal_error', message: 'Something went wrong on our side.', request_id: requestId });
      return;
    }
    const route = routeOf(res);
    if (route && !answerableCodes(route).includes(known.code)) {
      logger.error({ code: known.code, route: `${route.method.toUpperCase()} ${route.path}`, requestId }, UNDECLARED);
    }
    if (known.status >= 500)
      logger.error({ err: known.cause ?? known, detail: known.detail, requestId }, known.message);
    else if (known.cause || known.detail) {
      const cause = known.cause === undefined ? undefined : String(known.cause);
      logger.debug({ code: known.code, detail: known.detail, cause, requestId }, 'request refused');
    }
    if (known.retryAfter !== undefined) res.setHeader('Retry-After', String(known.retryAfter));
    res.status(known.status).json({
      error: known.code,
      message: known.message,
      ...(known.reason ? { reason: known.reason } : {}),
      ...(known.details ? { details: known.details } : {}),
    });
  };
}

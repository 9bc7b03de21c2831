import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { routeOf, type Route } from '../route';

/** A caller's own X-Request-Id is kept when it is a plain token; otherwise a fresh UUID. */
const GIVEN_ID = /^[\w.-]{1,64}$/;

/** The request id of this request (X-Request-Id), for error answers and log lines. */
export const requestIdOf = (res: Response): string => String(res.locals.requestId ?? '');

/**
 * The level of a request's line. Token issuance (routes declared `hot`) is most of the traffic:
 * one info line per answer cost ~10% of its CPU (bench/, --cpu-prof), so its successes log at
 * debug; its failures, and every other route, log at info, and 5xx answers at error.
 */
export function requestLogLevel(route: Route | undefined, status: number): 'error' | 'info' | 'debug' {
  if (status >= 500) return 'error';
  if (status < 400 && route?.hot) return 'debug';
  return 'info';
}

/**
 * One compact line per request, written when the answer is finished: method, URL, status,
 * milliseconds and the request id (no headers, which are a kilobyte each and carry credentials).
 * Its level comes from the route (requestLogLevel): hot-path successes are debug, so at the
 * default level a token request costs no log work beyond this closure. pino-http did the same
 * with a child logger per request, a tenth of an access token's CPU (bench/README.md).
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && GIVEN_ID.test(given) ? given : crypto.randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    const started = performance.now();
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      // A caller that hung up before the answer was sent is worth a line whatever the route.
      const aborted = !res.writableFinished;
      const level = aborted ? 'info' : requestLogLevel(routeOf(res), res.statusCode);
      if (!logger.isLevelEnabled(level)) return;
      const ms = Math.round(performance.now() - started);
      const outcome = aborted ? 'aborted' : String(res.statusCode);
      logger[level](
        { req: { id, method: req.method, url: req.originalUrl }, res: { status: res.statusCode }, responseTime: ms },
        `${req.method} ${req.originalUrl} ${outcome} ${ms}ms`,
      );
    };
    res.once('finish', finished);
    res.once('close', finished);
    next();
  };
}

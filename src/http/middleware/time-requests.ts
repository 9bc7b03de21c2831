import type { RequestHandler } from 'express';
import type { Metrics } from '../../infra/metrics';
import { routePattern } from './audit-admin';

/** Times every request, labelled by route pattern (never the raw path: that would explode the series). */
export function timeRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      stop({ method: req.method, route: routePattern(req) ?? 'unmatched', status: String(res.statusCode) });
    });
    next();
  };
}

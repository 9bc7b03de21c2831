import type { RequestHandler } from 'express';
import type { Metrics } from '../../infra/metrics';
import { routeOf } from '../route';

/** Times every request, labelled by its route's declared path (never the raw path: that would explode the series). */
export function timeRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      stop({ method: req.method, route: routeOf(res)?.path ?? 'unmatched', status: String(res.statusCode) });
    });
    next();
  };
}

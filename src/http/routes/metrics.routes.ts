import { Router, type RequestHandler } from 'express';
import type { Metrics } from '../../services/metrics';
import { routePattern } from '../middleware/audit-admin';

/** Contract §4.6: Prometheus text. Expose it to the scraper only (see README, Operations). */
export function metricsRouter(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}

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

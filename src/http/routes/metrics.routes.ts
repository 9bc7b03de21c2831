import { Router } from 'express';
import type { Metrics } from '../../infra/metrics';

/** Contract §4.6: Prometheus text. Expose it to the scraper only (see README, Operations). */
export function metricsRouter(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}

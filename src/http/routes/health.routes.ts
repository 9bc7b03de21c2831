import { Router } from 'express';
import type { Deps } from '../../services/deps';

/** Contract §4.6: /health says the process is up; /ready that the database answers. */
export function healthRouter(deps: Deps): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await deps.db.authenticate({ logging: false });
      res.json({ status: 'ready' });
    } catch (error) {
      deps.logger.warn({ err: error }, 'database unreachable');
      res.status(503).json({ error: 'service_unavailable', message: 'The database is unreachable.' });
    }
  });
  return router;
}

import { Router } from 'express';
import type { Deps } from '../../services/deps';
import { databaseUnavailable, UNAVAILABLE_RETRY_AFTER } from '../middleware/unavailable';

/** /ready answers within a second (contract §4.6), whatever the database does meanwhile. */
const READY_WITHIN_MS = 800;

class NoAnswer extends Error {
  constructor() {
    super(`no answer within ${READY_WITHIN_MS} ms`);
  }
}

/** Resolves when the database answers a trivial query; rejects with NoAnswer when it takes too long. */
function answersInTime(deps: Deps): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new NoAnswer()), READY_WITHIN_MS);
  });
  // The query may go on in the background until the connect or statement timeout ends it.
  return Promise.race([deps.db.authenticate({ logging: false }), late]).finally(() => clearTimeout(timer));
}

/** Contract §4.6: /health says the process is up; /ready that the database answers. */
export function healthRouter(deps: Deps): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await answersInTime(deps);
      res.json({ status: 'ready' });
    } catch (error) {
      const reason = error instanceof NoAnswer ? error.message : (databaseUnavailable(error) ?? String(error));
      deps.logger.warn({ err: error, reason }, `not ready: the database is unreachable (${reason})`);
      res
        .status(503)
        .setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER))
        .json({ error: 'service_unavailable', message: 'The database is unreachable.' });
    }
  });
  return router;
}

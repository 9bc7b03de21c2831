import { z } from 'zod';
import { indexSchema, statusSchema } from '../../schemas/responses.schema';
import type { Deps } from '../../services/deps';
import { databaseUnavailable, UNAVAILABLE_RETRY_AFTER } from '../middleware/unavailable';
import { defineRoute } from '../route';

const INDEX: z.infer<typeof indexSchema> = {
  name: 'jawth',
  console: '/admin/',
  openapi: '/openapi.json',
  health: '/health',
};

/** /ready answers within a second, whatever the database does meanwhile. */
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

/** Where things are, whether the process and its database are up, and its metrics. */
export const operationRoutes = [
  defineRoute({
    method: 'get',
    path: '/',
    operationId: 'getIndex',
    summary: 'Where things are (a browser is redirected to /admin/ with 302)',
    tag: 'operations',
    response: indexSchema,
    handle({ req, res }) {
      if (req.accepts(['json', 'html']) !== 'html') return INDEX;
      res.redirect(302, '/admin/');
      return undefined;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    summary: 'The process is up',
    tag: 'operations',
    response: statusSchema,
    handle: () => ({ status: 'ok' }),
  }),
  defineRoute({
    method: 'get',
    path: '/ready',
    operationId: 'getReadiness',
    summary: 'The database answers (503 if not)',
    tag: 'operations',
    response: statusSchema,
    async handle({ res, deps }) {
      try {
        await answersInTime(deps);
        return { status: 'ready' };
      } catch (error) {
        const reason = error instanceof NoAnswer ? error.message : (databaseUnavailable(error) ?? String(error));
        deps.logger.warn({ err: error, reason }, `not ready: the database is unreachable (${reason})`);
        res
          .status(503)
          .setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER))
          .json({ error: 'service_unavailable', message: 'The database is unreachable.' });
      }
    },
  }),
  defineRoute({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics (expose them to the scraper only)',
    tag: 'operations',
    response: z.string(),
    text: true,
    async handle({ res, deps }) {
      res.setHeader('Content-Type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  }),
];

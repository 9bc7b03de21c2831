import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AppDeps } from './http/app-deps';
import { errorHandler, notFound } from './http/middleware/errors';
import { pathGuard } from './http/middleware/path-guard';
import { requestLog } from './http/middleware/request-log';
import { consoleRouter } from './http/routes/console.routes';
import { docsRouter } from './http/routes/docs.routes';
import { ROUTES } from './http/routes';
import { mountRoutes } from './http/mount-routes';
import { timeRequests } from './http/middleware/time-requests';

/**
 * Builds the Express application from finished deps (src/build-deps.ts: the limiter, the refusal
 * audit, the admission and the metrics are made there, once); never listens (server.ts and the
 * tests do).
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, TRUST_PROXY lets req.ip be the client's (rate limits, audit log).
  app.set('trust proxy', deps.config.trustProxy);
  // `/Applications/x` is not `/applications/x`: one spelling per route, so that the audit log's
  // filters see every change (routers are made case-sensitive too).
  app.set('case sensitive routing', true);
  // Token answers are `no-store`, admin answers change with every write: an ETag (a hash of each
  // body) would cost every answer and help none.
  app.set('etag', false);
  // Security headers for pages and the admin API; token issuance (hot routes) answers JSON to
  // other servers and scripts, where a dozen headers per answer were half its header bytes.
  const securityHeaders = helmet();
  app.use(requestLog(deps.logger));
  app.use(pathGuard);
  app.use(timeRequests(deps.metrics));
  app.use(express.json({ limit: deps.config.bodyLimit, strict: true }));

  // The console's pages first: `/admin/users` is a page of it, not the users of an application "admin".
  app.use('/admin', securityHeaders, consoleRouter());
  app.use('/docs', securityHeaders, docsRouter());
  app.use(mountRoutes(ROUTES, deps, securityHeaders));
  app.use(securityHeaders);

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

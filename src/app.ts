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
import type { Deps } from './services/deps';
import { createLoginLimiter, type LoginLimiter } from './infra/login-limiter';
import { createMetrics } from './infra/metrics';
import { createRefusalAudit } from './services/audit-refusals.service';
import { createPasswordAdmission } from './infra/password-admission';
import { BackgroundTasks } from './infra/background';

/**
 * Builds the Express application; never listens (server.ts and the tests do). Without a
 * `limiter`, one is made from the configuration; whoever passes one closes it. `background`
 * runs the work done after an answer (a test passes its own to wait for it).
 */
export function createApp(base: Deps & { limiter?: LoginLimiter; background?: BackgroundTasks }): Express {
  const limiter = base.limiter ?? createLoginLimiter(base.config, base.logger);
  const deps: AppDeps = {
    ...base,
    limiter,
    background: base.background ?? new BackgroundTasks(base.logger),
    refusals: createRefusalAudit(base),
    admission: createPasswordAdmission(base.config.loginQueueMax),
    metrics: createMetrics(limiter),
  };
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

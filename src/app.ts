import crypto from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { AppDeps } from './http/app-deps';
import { auditAdminChanges } from './http/middleware/audit-admin';
import { corsPolicy } from './http/middleware/cors';
import { errorHandler, notFound } from './http/middleware/errors';
import { pathGuard } from './http/middleware/path-guard';
import { adminRouter } from './http/routes/admin.routes';
import { requestLogLevel } from './http/request-log-level';
import { applicationsRouter } from './http/routes/applications.routes';
import { auditRouter } from './http/routes/audit.routes';
import { consoleRouter } from './http/routes/console.routes';
import { groupsRouter } from './http/routes/groups.routes';
import { healthRouter } from './http/routes/health.routes';
import { loginRouter } from './http/routes/login.routes';
import { metricsRouter } from './http/routes/metrics.routes';
import { timeRequests } from './http/middleware/time-requests';
import { openApiRouter } from './http/routes/openapi.routes';
import { rootRouter } from './http/routes/root.routes';
import { tokensRouter } from './http/routes/tokens.routes';
import { usersRouter } from './http/routes/users.routes';
import type { Deps } from './services/deps';
import { createLoginLimiter, type LoginLimiter } from './infra/login-limiter';
import { createMetrics } from './infra/metrics';
import { createRefusalAudit } from './infra/audit-refusals';

/**
 * Builds the Express application; never listens (server.ts and the tests do). Without a
 * `limiter`, one is made from the configuration; whoever passes one closes it.
 */
export function createApp(base: Deps & { limiter?: LoginLimiter }): Express {
  const limiter = base.limiter ?? createLoginLimiter(base.config, base.logger);
  const deps: AppDeps = {
    ...base,
    limiter,
    refusals: createRefusalAudit(base),
    metrics: createMetrics(limiter),
  };
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, TRUST_PROXY lets req.ip be the client's (rate limits, audit log).
  app.set('trust proxy', deps.config.trustProxy);
  // `/Applications/x` is not `/applications/x`: one spelling per route, so that the audit log's
  // filters see every change (routers are made case-sensitive too).
  app.set('case sensitive routing', true);
  app.use(helmet());
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (req, res, error) => requestLogLevel(req, res, error),
    }),
  );
  app.use(pathGuard);
  app.use(timeRequests(deps.metrics));
  app.use(corsPolicy(deps.config.corsOrigins, deps));
  app.use(express.json({ limit: deps.config.bodyLimit, strict: true }));
  app.use(auditAdminChanges(deps));

  app.use(rootRouter());
  app.use(healthRouter(deps));
  app.use(metricsRouter(deps.metrics));
  app.use(openApiRouter());
  app.use(auditRouter(deps));
  app.use('/admin', adminRouter(deps));
  app.use('/admin', consoleRouter());
  app.use('/applications', applicationsRouter(deps));
  app.use(usersRouter(deps));
  app.use(groupsRouter(deps));
  app.use(tokensRouter(deps));
  app.use(loginRouter(deps));

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

import crypto from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { errorHandler, notFound } from './http/middleware/errors';
import { adminRouter } from './http/routes/admin.routes';
import { applicationsRouter } from './http/routes/applications.routes';
import { groupsRouter } from './http/routes/groups.routes';
import { healthRouter } from './http/routes/health.routes';
import { loginRouter } from './http/routes/login.routes';
import { tokensRouter } from './http/routes/tokens.routes';
import { usersRouter } from './http/routes/users.routes';
import type { Deps } from './services/deps';

/** Builds the Express application; never listens (server.ts and the tests do). */
export function createApp(deps: Deps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
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
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(express.json({ limit: deps.config.bodyLimit, strict: true }));

  app.use(healthRouter(deps));
  app.use('/admin', adminRouter(deps));
  app.use('/applications', applicationsRouter(deps));
  app.use(usersRouter(deps));
  app.use(groupsRouter(deps));
  app.use(tokensRouter(deps));
  app.use(loginRouter(deps));

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

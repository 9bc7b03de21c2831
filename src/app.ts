import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { errorHandler, notFound } from './http/middleware/errors';
import { applicationsRouter } from './http/routes/applications.routes';
import { groupsRouter } from './http/routes/groups.routes';
import { healthRouter } from './http/routes/health.routes';
import { loginRouter } from './http/routes/login.routes';
import { tokensRouter } from './http/routes/tokens.routes';
import { usersRouter } from './http/routes/users.routes';
import type { Deps } from './services/deps';

// Token issuance (`/token/access`, `/:app/refresh`) is the hot path: one info line per answered request cost ~10% of its CPU
// (bench/, --cpu-prof: pino-http onResFinished, redact, writeString). Its successes log at
// debug; its failures, and every other route, still log at info or error.
const HOT_PUBLIC_PATH = /^\/(?:token\/access(?:\/[^/?]*)?|(?!token\/)[^/]+\/refresh)(?:\?|$)/;

function requestLogLevel(req: IncomingMessage, res: ServerResponse, error?: Error): 'error' | 'info' | 'debug' {
  if (error || res.statusCode >= 500) return 'error';
  if (res.statusCode < 400 && HOT_PUBLIC_PATH.test(req.url ?? '')) return 'debug';
  return 'info';
}

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
      customLogLevel: requestLogLevel,
    }),
  );
  app.use(express.json({ limit: deps.config.bodyLimit, strict: true }));

  app.use(healthRouter(deps));
  app.use('/applications', applicationsRouter(deps));
  app.use(usersRouter(deps));
  app.use(groupsRouter(deps));
  app.use(tokensRouter(deps));
  app.use(loginRouter(deps));

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

import cors, { type CorsOptions } from 'cors';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../errors';
import type { ApplicationCache } from '../../infra/application-cache';
import type { Deps } from '../../services/deps';

/** The public endpoints (§4): an application's own `cors_origins` govern them. */
const PUBLIC_PATH = /^\/([^/]+)\/(?:login|refresh|[^/]+\/change_password)\/?$/;
const TOKEN_PATH = /^\/token\/(?:refresh|access)(?:\/[^/]+)?\/?$/;

const common: CorsOptions = {
  methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  allowedHeaders: ['Content-Type', 'Authorization', 'auth', 'X-Request-Id'],
  exposedHeaders: ['X-Total-Count', 'X-Request-Id', 'Retry-After'],
  // Credentials travel in headers, never cookies; and an origin is only ever echoed from a list, never `*`.
  credentials: false,
  maxAge: 600,
};

async function allowedOrigins(req: Request, adminOrigins: string[], cache: ApplicationCache): Promise<string[]> {
  const path = req.path;
  // Before the per-application shape, which `/token/refresh` also has (as application "token").
  if (TOKEN_PATH.test(path)) {
    // The application is named in the body, which a preflight does not carry: any application's origin.
    return [...(await cache.originsOfAll())];
  }
  const publicApp = PUBLIC_PATH.exec(path)?.[1];
  if (publicApp) {
    const app = await cache.find(publicApp);
    return app ? (JSON.parse(app.corsOrigins) as string[]) : [];
  }
  return adminOrigins;
}

/** Per-request CORS: public endpoints by their application's origins, the admin API by CORS_ORIGINS. */
export function corsPolicy(adminOrigins: string[], deps: Pick<Deps, 'caches'>): RequestHandler {
  return cors((req, callback) => {
    const origin = req.headers.origin;
    if (!origin) return callback(null, { ...common, origin: false });
    allowedOrigins(req as Request, adminOrigins, deps.caches.applications).then(
      (origins) => callback(null, { ...common, origin: origins.includes(origin) ? origin : false }),
      (error: unknown) => callback(error as Error),
    );
  });
}

/**
 * Contract §4.3: `/token/refresh` and `/token/access` read a body of any content type (quidjs
 * sends text/plain), so a browser sends them cross-site without a preflight. A request whose
 * `Origin` is neither this server nor one of the named application's origins is refused before
 * any password is checked or counted; otherwise any website could lock a user out from the
 * user's own IP. An unknown application has no origins, so the answer tells nothing about it.
 */
export async function assertOriginAllowed(req: Request, appName: string, deps: Pick<Deps, 'caches'>): Promise<void> {
  const origin = req.headers.origin;
  if (origin === undefined || origin === `${req.protocol}://${req.get('host')}`) return;
  const app = await deps.caches.applications.find(appName);
  const allowed = app ? (JSON.parse(app.corsOrigins) as string[]) : [];
  if (!allowed.includes(origin)) {
    throw new AppError('origin_not_allowed', 'This origin may not call this endpoint for this application.');
  }
}

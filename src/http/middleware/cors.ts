import cors, { type CorsOptions } from 'cors';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../errors';
import type { Deps } from '../../services/deps';
import type { Route } from '../route';

const common: CorsOptions = {
  methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  allowedHeaders: ['Content-Type', 'Authorization', 'auth', 'X-Request-Id'],
  exposedHeaders: ['X-Total-Count', 'X-Request-Id', 'Retry-After'],
  // Credentials travel in headers, never cookies; and an origin is only ever echoed from a list, never `*`.
  credentials: false,
  maxAge: 600,
};

/** The origins a browser may call this route from, by its declaration. */
async function allowedOrigins(route: Route, req: Request, deps: Pick<Deps, 'config' | 'caches'>): Promise<string[]> {
  if (route.cors === 'token') {
    // The application is named in the body, which a preflight does not carry: any application's origin.
    return [...(await deps.caches.applications.originsOfAll())];
  }
  if (route.cors === 'application') {
    const app = await deps.caches.applications.find(String(req.params.app));
    return app ? app.corsOrigins : [];
  }
  return deps.config.corsOrigins;
}

/** CORS for one route (its preflight and its requests): public endpoints by their application's origins, the rest by CORS_ORIGINS. */
export function routeCors(route: Route, deps: Pick<Deps, 'config' | 'caches'>): RequestHandler {
  return cors((req, callback) => {
    const origin = req.headers.origin;
    if (!origin) return callback(null, { ...common, origin: false });
    allowedOrigins(route, req as Request, deps).then(
      (origins) => callback(null, { ...common, origin: origins.includes(origin) ? origin : false }),
      (error: unknown) => callback(error as Error),
    );
  });
}

/**
 * docs/api.md, Quid refresh and access tokens: `/token/refresh` and `/token/access` read a body of any content type (quidjs
 * sends text/plain), so a browser sends them cross-site without a preflight. A request whose
 * `Origin` is neither this server nor one of the named application's origins is refused before
 * any password is checked or counted; otherwise any website could lock a user out from the
 * user's own IP. An unknown application has no origins, so the answer tells nothing about it.
 */
export async function assertOriginAllowed(req: Request, appName: string, deps: Pick<Deps, 'caches'>): Promise<void> {
  const origin = req.headers.origin;
  if (origin === undefined || origin === `${req.protocol}://${req.get('host')}`) return;
  const app = await deps.caches.applications.find(appName);
  const allowed = app ? app.corsOrigins : [];
  if (!allowed.includes(origin)) {
    throw new AppError('origin_not_allowed', 'This origin may not call this endpoint for this application.');
  }
}

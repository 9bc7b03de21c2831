import { Application } from '../db/models';

/**
 * Applications by name for the token hot path, so that issuing a token does not re-read its
 * application. Changes made through this process invalidate the entry at once; changes made by
 * another instance are seen within TTL_MS. Revocation never waits on this cache: it lives in the
 * sessions table, which is read on every refresh.
 */
const TTL_MS = 5_000;
const LIMIT = 10_000;

const entries = new Map<string, { app: Application | null; expires: number }>();

export async function cachedApplication(name: string, now = Date.now()): Promise<Application | null> {
  const hit = entries.get(name);
  if (hit && hit.expires > now) return hit.app;
  const app = await Application.findOne({ where: { name } });
  if (entries.size >= LIMIT) entries.clear();
  entries.set(name, { app, expires: now + TTL_MS });
  return app;
}

let everyOrigin: { origins: Set<string>; expires: number } | undefined;

/**
 * The CORS origins of every application, for `/token/*`, whose application is named only in the
 * body (a preflight carries none). Cached like the applications, so that a browser's token
 * requests do not read the whole applications table each time.
 */
export async function cachedOriginsOfAllApplications(now = Date.now()): Promise<Set<string>> {
  if (everyOrigin && everyOrigin.expires > now) return everyOrigin.origins;
  const apps = await Application.findAll({ attributes: ['corsOrigins'] });
  const origins = new Set(apps.flatMap((app) => JSON.parse(app.corsOrigins) as string[]));
  everyOrigin = { origins, expires: now + TTL_MS };
  return origins;
}

export function forgetApplication(...names: string[]): void {
  for (const name of names) entries.delete(name);
  everyOrigin = undefined;
}

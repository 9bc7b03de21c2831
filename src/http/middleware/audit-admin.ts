import type { Request, RequestHandler, Response } from 'express';
import { recordAudit, type AuditInput } from '../../services/audit.service';
import type { Deps } from '../../services/deps';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Readable names for the admin changes of §3.2–3.4; other routes fall back to "METHOD /pattern". */
const ACTIONS: Record<string, string> = {
  'POST /applications': 'application.create',
  'PATCH /applications/:name': 'application.update',
  'DELETE /applications/:name': 'application.delete',
  'POST /applications/:name/rotate_secret': 'application.rotate_secret',
  'POST /users': 'user.create',
  'POST /:app/users': 'user.create',
  'PATCH /users/:uid': 'user.update',
  'PATCH /:app/users/:username': 'user.update',
  'DELETE /users/:uid': 'user.delete',
  'DELETE /:app/users/:username': 'user.delete',
  'DELETE /:app/users/:username/sessions': 'user.revoke_sessions',
};

/** The matched route's pattern (`/applications/:name`), or the raw path when none matched. */
export function routePattern(req: Request): string | undefined {
  if (!req.route) return undefined;
  const path = `${req.baseUrl}${String((req.route as { path: string }).path)}`;
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

function entry(req: Request, res: Response): AuditInput {
  const pattern = routePattern(req) ?? req.path;
  const params = req.params as Record<string, string | undefined>;
  const data = (res.locals.data && typeof res.locals.data === 'object' ? res.locals.data : {}) as Record<
    string,
    unknown
  >;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const onApplication = pattern.startsWith('/applications');
  return {
    actor: typeof res.locals.actor === 'string' ? res.locals.actor : 'anonymous',
    action: ACTIONS[`${req.method} ${pattern}`] ?? `${req.method} ${pattern}`,
    app: params.app ?? (onApplication ? (params.name ?? text(data.name)) : text(data.app)),
    target: params.username ?? params.uid ?? params.name ?? text(data.username) ?? text(data.name),
    ip: req.ip,
    userAgent: req.get('user-agent'),
    outcome: res.statusCode < 400 ? 'success' : 'failure',
    // Field names only: a value may be a password or a secret.
    detail: { status: res.statusCode, fields: Object.keys(data) },
  };
}

/**
 * Records every change made through the admin API (POST/PUT/PATCH/DELETE on a route guarded by
 * adminAuth, which marks `res.locals.adminRequest`), refused ones included. Like
 * express-session, it holds `res.end` until the entry is written, so that an answer the client
 * has seen is always in the log.
 */
export function auditAdminChanges(deps: Pick<Deps, 'clock' | 'logger'>): RequestHandler {
  return (req, res, next) => {
    if (!CHANGES.has(req.method)) return next();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let recorded = false;
    res.end = ((...args: unknown[]) => {
      if (recorded || res.locals.adminRequest !== true) return end(...args);
      recorded = true;
      void recordAudit(entry(req, res), deps).finally(() => end(...args));
      return res;
    }) as Response['end'];
    next();
  };
}

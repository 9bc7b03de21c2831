import type { Request, RequestHandler, Response } from 'express';
import { recordAudit, type AuditInput } from '../../services/audit.service';
import type { Deps } from '../../services/deps';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Readable names for the admin changes of §3.2–3.4; other routes fall back to "METHOD /pattern". */
const ACTIONS: Record<string, string> = {
  'POST /applications': 'application.create',
  'PATCH /applications/:name': 'application.update',
  'DELETE /applications/:name': 'application.delete',
  'GET /applications/:name': 'application.read_secret',
  'POST /applications/:name/rotate_secret': 'application.rotate_secret',
  'POST /users': 'user.create',
  'POST /:app/users': 'user.create',
  'PATCH /users/:uid': 'user.update',
  'PATCH /:app/users/:username': 'user.update',
  'DELETE /users/:uid': 'user.delete',
  'DELETE /:app/users/:username': 'user.delete',
  'DELETE /:app/users/:username/sessions': 'user.revoke_sessions',
  'DELETE /:app/users/:username/sessions/:id': 'user.revoke_session',
  'POST /orgs': 'org.create',
  'DELETE /orgs/:org': 'org.delete',
  'POST /:app/groups': 'group.create',
  'DELETE /:app/groups/:group': 'group.delete',
};

/** The matched route's pattern (`/applications/:name`), or the raw path when none matched. */
export function routePattern(req: Request): string | undefined {
  if (!req.route) return undefined;
  const path = `${req.baseUrl}${String((req.route as { path: string }).path)}`;
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

/** A percent-encoded segment, decoded; undefined when it is not valid percent-encoding. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The parameters of `path` when it has the shape of `pattern` (`/applications/:name`), else undefined. */
function match(pattern: string, path: string): Record<string, string> | undefined {
  const expected = pattern.split('/');
  const actual = path.replace(/\/$/, '').split('/');
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of expected.entries()) {
    if (part.startsWith(':')) {
      const value = decodeSegment(actual[i]);
      if (value === undefined) return undefined;
      params[part.slice(1)] = value;
    } else if (part !== actual[i]) return undefined;
  }
  return params;
}

/**
 * The route's pattern and parameters, read from the path by the admin API's known shapes:
 * after a refusal Express has left the route and `req.params` no longer holds them.
 */
function readRoute(req: Request): { pattern: string; params: Record<string, string | undefined> } {
  for (const key of Object.keys(ACTIONS)) {
    const [method, shape] = key.split(' ');
    const params = method === req.method ? match(shape, req.path) : undefined;
    if (params) return { pattern: shape, params };
  }
  return { pattern: routePattern(req) ?? req.path, params: req.params as Record<string, string | undefined> };
}

function entry(req: Request, res: Response): AuditInput {
  const { pattern, params } = readRoute(req);
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
    target:
      params.username ??
      params.uid ??
      params.name ??
      params.group ??
      params.org ??
      text(data.username) ??
      text(data.name),
    ip: req.ip,
    userAgent: req.get('user-agent'),
    outcome: res.statusCode < 400 ? 'success' : 'failure',
    // Field names only: a value may be a password or a secret.
    detail: { status: res.statusCode, fields: Object.keys(data) },
  };
}

/** Reading an application's secret is recorded like a change (contract §3.2), refused reads too. */
function readsSecret(req: Request): boolean {
  const asked = (req.query as Record<string, unknown>).include_secret;
  const asksForSecret = asked !== undefined && asked !== 'false';
  return req.method === 'GET' && asksForSecret && match('/applications/:name', req.path) !== undefined;
}

/**
 * Records every change made through the admin API (POST/PUT/PATCH/DELETE on a route guarded by
 * adminAuth, which marks `res.locals.adminRequest`), refused ones included. Like
 * express-session, it holds `res.end` until the entry is written, so that an answer the client
 * has seen is always in the log.
 */
export function auditAdminChanges(deps: Pick<Deps, 'models' | 'clock' | 'logger'>): RequestHandler {
  return (req, res, next) => {
    if (!CHANGES.has(req.method) && !readsSecret(req)) return next();
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

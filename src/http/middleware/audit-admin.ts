import type { Request, RequestHandler, Response } from 'express';
import { recordAudit, type AuditInput } from '../../services/audit.service';
import { paramsOf, type Route } from '../route';
import type { Deps } from '../../services/deps';
import { isAppKeyActor } from '../../services/application-key.service';

function entry(route: Route, req: Request, res: Response): AuditInput {
  const params: Record<string, string | undefined> = paramsOf(res);
  const data = (res.locals.data && typeof res.locals.data === 'object' ? res.locals.data : {}) as Record<
    string,
    unknown
  >;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const onApplication = route.path.startsWith('/applications');
  return {
    actor: typeof res.locals.actor === 'string' ? res.locals.actor : 'anonymous',
    action: route.audit as string,
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

/**
 * Records an admin request of a route that names an audit action: every change, and a read its
 * `auditIf` picks (reading a secret), refused ones included (the credential is checked after this
 * runs), and every call made with an application key. Like express-session, it holds `res.end` until the entry is written, so that an answer
 * the client has seen is always in the log.
 */
export function auditAdminRequest(route: Route, deps: Pick<Deps, 'models' | 'clock' | 'logger'>): RequestHandler {
  return (req, res, next) => {
    // A read made with an application key is recorded too: every use of a key is audited.
    if (route.method === 'get' && !route.appKey && !route.auditIf?.(req)) return next();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let recorded = false;
    res.end = ((...args: unknown[]) => {
      if (recorded) return end(...args);
      recorded = true;
      if (route.method === 'get' && !route.auditIf?.(req) && !isAppKeyActor(res.locals.actor)) return end(...args);
      void recordAudit(entry(route, req, res), deps).finally(() => end(...args));
      return res;
    }) as Response['end'];
    next();
  };
}

import type { Request, RequestHandler, Response } from 'express';
import { recordAudit, type AuditInput } from '../../services/audit.service';
import { paramsOf, type Route } from '../route';
import type { Deps } from '../../services/deps';
import { APP_KEY_REFUSED_ACTION } from '../../services/application-key.service';
import { actorOf } from '../../services/principal';
import { appKeyCredential, principalOf } from './admin-auth';

function entry(route: Route, req: Request, res: Response): AuditInput {
  const params: Record<string, string | undefined> = paramsOf(res);
  const data = (res.locals.data && typeof res.locals.data === 'object' ? res.locals.data : {}) as Record<
    string,
    unknown
  >;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const onApplication = route.path.startsWith('/applications');
  return {
    actor: actorOf(principalOf(res)),
    action: route.audit ?? APP_KEY_REFUSED_ACTION,
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

/** Whether an admin request is recorded, decided as it ends (the actor is known by then). */
function isRecorded(route: Route, req: Request, res: Response): boolean {
  // Every use of an application key is audited, refused ones and reads included.
  if (principalOf(res)?.kind === 'appKey') return true;
  if (route.audit === undefined) return false;
  return route.method !== 'get' || Boolean(route.auditIf?.(req));
}

/**
 * Records an admin request: every change of a route that names an audit action, a read its
 * `auditIf` picks (reading a secret), refused ones included (the credential is checked after this
 * runs), and every call made with an application key (under `application_key.refused` where the
 * route names no action). Like express-session, it holds `res.end` until the entry is written,
 * so that an answer the client has seen is always in the log.
 */
export function auditAdminRequest(route: Route, deps: Pick<Deps, 'audit' | 'clock' | 'logger'>): RequestHandler {
  const mayRecord = route.audit !== undefined && (route.method !== 'get' || route.auditIf !== undefined);
  return (req, res, next) => {
    if (!mayRecord && appKeyCredential(req.headers) === undefined) return next();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let recorded = false;
    res.end = ((...args: unknown[]) => {
      if (recorded || !isRecorded(route, req, res)) return end(...args);
      recorded = true;
      void recordAudit(entry(route, req, res), deps).finally(() => end(...args));
      return res;
    }) as Response['end'];
    next();
  };
}

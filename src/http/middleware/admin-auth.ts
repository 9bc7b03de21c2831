import type { RequestHandler, Response } from 'express';
import type { AppKeyScope } from '../../schemas/application-key.schema';
import { authenticateAdmin, sessionData } from '../../services/admin-auth.service';
import { assertKeyMayCall, authenticateAppKey } from '../../services/application-key.service';
import type { Deps } from '../../services/deps';
import type { Principal } from '../../services/principal';
import { refuse } from '../../services/admin-token.service';

type AuthHeaders = { auth?: string; authorization?: string };

/** Reads `auth: jwt <token>` (JaWTh) or `Authorization: Bearer <token>`, naming which one. */
export function adminCredential(header: AuthHeaders): { token: string; scheme: 'jwt' | 'bearer' } | undefined {
  const auth = /^jwt\s+(\S+)$/i.exec(header.auth?.trim() ?? '');
  if (auth) return { token: auth[1], scheme: 'jwt' };
  const bearer = /^bearer\s+(\S+)$/i.exec(header.authorization?.trim() ?? '');
  return bearer ? { token: bearer[1], scheme: 'bearer' } : undefined;
}

/** The credential of either header; 401 `missing` when neither is sent, `malformed` when unreadable. */
export function requireCredential(header: AuthHeaders): { token: string; scheme: 'jwt' | 'bearer' } {
  const credential = adminCredential(header);
  if (credential) return credential;
  if (header.auth === undefined && header.authorization === undefined) throw refuse('missing', 'no credential');
  throw refuse('malformed', 'neither `auth: jwt <token>` nor `Authorization: Bearer <token>`');
}

/** The token of either header. */
export function bearerToken(header: AuthHeaders): string | undefined {
  return adminCredential(header)?.token;
}

/** Reads `Authorization: AppKey <key>`, an application's key. */
export function appKeyCredential(header: AuthHeaders): string | undefined {
  return /^appkey\s+(\S+)$/i.exec(header.authorization?.trim() ?? '')?.[1];
}

/** Who calls this admin request, once its credential was accepted (or, for a key, recognised). */
export function principalOf(res: Pick<Response, 'locals'>): Principal | undefined {
  return (res.locals as { principal?: Principal }).principal;
}

function setPrincipal(res: Response, principal: Principal): void {
  res.locals.principal = principal;
}

/**
 * Guards every admin route (signed request, console session, or an application key where the
 * route names the key's scope); the data lands in `res.locals.data`, who calls in
 * `res.locals.principal` (principalOf), which the route's input and the audit read.
 */
export function adminAuth(deps: Deps, appKeyScope?: AppKeyScope): RequestHandler {
  return async (req, res, next) => {
    const appKey = appKeyCredential(req.headers as AuthHeaders);
    if (appKey !== undefined) {
      const holder = await authenticateAppKey(appKey, deps);
      // Set before the scope check: a refused call is audited under the key too.
      setPrincipal(res, { kind: 'appKey', key: holder });
      const app: unknown = req.params.app;
      assertKeyMayCall(holder, appKeyScope, typeof app === 'string' ? app : undefined);
      res.locals.data = sessionData(req.body);
      next();
      return;
    }
    const credential = requireCredential(req.headers as AuthHeaders);
    const { data, principal } = await authenticateAdmin(
      {
        ...credential,
        method: req.method,
        path: req.originalUrl,
        // Express reads protocol and host from X-Forwarded-* only when TRUST_PROXY trusts the proxy.
        origin: `${req.protocol}://${req.host}`,
        body: req.body,
        now: deps.clock.now(),
      },
      deps,
    );
    res.locals.data = data;
    setPrincipal(res, principal);
    next();
  };
}

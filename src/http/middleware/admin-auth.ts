import type { RequestHandler } from 'express';
import { authenticateAdmin } from '../../services/admin-auth.service';
import type { Deps } from '../../services/deps';
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

/** Guards every admin route (signed request or console session); the data lands in `res.locals.data`. */
export function adminAuth(deps: Deps): RequestHandler {
  return async (req, res, next) => {
    const credential = requireCredential(req.headers as AuthHeaders);
    const { data, actor } = await authenticateAdmin(
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
    res.locals.actor = actor;
    next();
  };
}

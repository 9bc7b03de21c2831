import type { RequestHandler } from 'express';
import { authenticateSignedRequest } from '../../services/admin-auth.service';
import type { Deps } from '../../services/deps';
import { AppError } from '../../errors';

/** Reads `auth: jwt <token>` (JaWTh) or `Authorization: Bearer <token>`. */
export function bearerToken(header: { auth?: string; authorization?: string }): string | undefined {
  const auth = /^jwt\s+(\S+)$/i.exec(header.auth?.trim() ?? '');
  if (auth) return auth[1];
  const bearer = /^bearer\s+(\S+)$/i.exec(header.authorization?.trim() ?? '');
  return bearer?.[1];
}

/** Guards every admin route; the verified data lands in `res.locals.data`. */
export function adminAuth(deps: Deps): RequestHandler {
  return (req, res, next) => {
    res.locals.adminRequest = true; // the audit log records admin changes, refused ones too
    const token = bearerToken(req.headers as { auth?: string; authorization?: string });
    if (!token) throw new AppError('unauthorized', 'A valid admin credential is required.');
    res.locals.data = authenticateSignedRequest(
      { token, method: req.method, path: req.originalUrl.split('?')[0], body: req.body, now: deps.clock.now() },
      deps.config,
    );
    res.locals.actor = 'signed_request';
    next();
  };
}

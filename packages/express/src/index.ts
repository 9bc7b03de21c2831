import type { RequestHandler, Response } from 'express';
import { secretKeys, TokenRefused, verifyJawthToken } from './verify.js';

/**
 * `@jawth/express` (also `jawth/express`): verifies the tokens one application receives (from
 * `/:app/login` or `/token/access`) in that application's own backend, without calling jawth.
 * HS256 is pinned and `exp` required by `./verify.ts`; each secret becomes one KeyObject when
 * the middleware is made.
 */

/** The claims jawth puts in an application's tokens (jawth's docs/api.md, Tokens and their claims). */
export interface JawthClaims {
  username: string;
  id: string;
  role: string;
  groups: string[];
  orgs: string[];
  app: string;
  iss: string;
  iat: number;
  exp: number;
  aud?: string;
  /** Only on `/:app/login` tokens: the time of that login. */
  timestamp?: string;
  /** How the login was authenticated (RFC 8176), after a second factor: `["pwd", "otp"]`. */
  amr?: string[];
  [claim: string]: unknown;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The verified claims, set by `jawthAuth`. */
    auth?: JawthClaims;
  }
}

export interface JawthAuthOptions {
  /** The application's secret (the text itself is the key). */
  secret?: string | Buffer;
  /** Several secrets, e.g. the new and the previous one during a rotation's grace. */
  secrets?: (string | Buffer)[];
  /** When set, `aud` must equal it. */
  audience?: string;
  /** When set, `iss` must equal it (jawth's `ISSUER`, `jawth` by default). */
  issuer?: string;
  /** The role the user must have; with several, any one of them. */
  requireRole?: string | string[];
  /** A group the user must belong to; with several, any one of them. */
  requireGroup?: string | string[];
  /**
   * Authentication methods the login must have used (RFC 8176 `amr`), e.g. `'otp'` for a second
   * factor; with several, all of them. A valid token without them gets 401
   * `insufficient_user_authentication` (RFC 9470): the user should log in again with the factor.
   */
  requireAmr?: string | string[];
  /** Seconds of leeway for `exp` and `nbf`. */
  clockTolerance?: number;
  /** Seconds since the epoch; tests pass a fake clock. */
  now?: () => number;
}

export function jawthAuth(options: JawthAuthOptions): RequestHandler {
  const keys = secretKeys(options.secrets ?? (options.secret === undefined ? [] : [options.secret]));
  const roles = asList(options.requireRole);
  const groups = asList(options.requireGroup);
  const methods = asList(options.requireAmr);

  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) return unauthorized(res, 'A bearer token is required.', false);
    let claims: JawthClaims;
    try {
      claims = (await verifyJawthToken(token, keys, {
        audience: options.audience,
        issuer: options.issuer,
        clockTolerance: options.clockTolerance,
        now: options.now?.(),
      })) as JawthClaims;
    } catch (error) {
      // The cause stays here: telling a caller which check failed helps an attacker, not a user.
      const expired = error instanceof TokenRefused && error.expired;
      return unauthorized(res, expired ? 'The token has expired.' : 'The token is invalid.', true);
    }
    if (roles.length > 0 && !roles.includes(claims.role)) return forbidden(res, 'A required role is missing.');
    if (groups.length > 0 && !(Array.isArray(claims.groups) && groups.some((g) => claims.groups.includes(g)))) {
      return forbidden(res, 'A required group is missing.');
    }
    const amr = Array.isArray(claims.amr) ? claims.amr : [];
    if (!methods.every((method) => amr.includes(method))) return insufficientAuthentication(res, methods);
    req.auth = claims;
    next();
  };
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function bearerToken(header: string | undefined): string | undefined {
  return /^bearer\s+(\S+)$/i.exec(header?.trim() ?? '')?.[1];
}

function unauthorized(res: Response, message: string, invalid: boolean): void {
  // RFC 6750 §3: a request without a token gets the bare challenge, a bad token an error code.
  res.setHeader('WWW-Authenticate', invalid ? 'Bearer error="invalid_token"' : 'Bearer');
  res.status(401).json({ error: 'unauthorized', message });
}

function insufficientAuthentication(res: Response, methods: string[]): void {
  const error = 'insufficient_user_authentication';
  const message = `This requires a login with ${methods.join(' and ')} (a second factor); log in again.`;
  res.setHeader('WWW-Authenticate', `Bearer error="${error}", error_description="${message}"`);
  res.status(401).json({ error, message });
}

function forbidden(res: Response, message: string): void {
  res.status(403).json({ error: 'forbidden', message });
}

import { isDeepStrictEqual } from 'node:util';
import type { Claims } from '../crypto/jwt';
import { AppError } from '../errors';
import type { Config } from '../config/config';
import type { AdminSession } from '../db/models';
import { spendJti } from './admin-replay.service';
import { ADMIN_SESSION_TTL, findActiveSession } from './admin-session.service';
import { assertLifetime, assertMasterPassword, refuse, verifySignature } from './admin-token.service';
import { epochSeconds, type Deps } from './deps';
import type { Principal } from './principal';

export interface AdminRequest {
  token: string;
  method: string;
  /** The request target as received: path and query string. */
  path: string;
  /** This server's origin as the client sees it (protocol and host, through TRUST_PROXY). */
  origin: string;
  /** The parsed JSON body, or undefined when none was sent. */
  body: unknown;
  now: Date;
}

/**
 * Both ways of authenticating admin requests (docs/api.md). A token carrying `sid` is a console session and is accepted only
 * as `Authorization: Bearer`; any other token is a signed request (which refuses `sid`). The
 * signature is checked first: no other reason is given for a token SECRET_KEY did not sign.
 */
export async function authenticateAdmin(
  request: AdminRequest & { scheme: 'jwt' | 'bearer' },
  deps: Deps,
): Promise<{ data: Record<string, unknown>; principal: Principal }> {
  const claims = verifySignature(request.token, deps.config);
  if (request.scheme === 'bearer' && 'sid' in claims) {
    const { account } = await requireSession(claims, request.now, deps);
    // The session is read with its account (a required join): one without is no session.
    if (!account) throw refuse('session_ended', "the session's account is gone");
    const principal: Principal = { kind: 'console', account: { id: account.id, username: account.username } };
    return { data: sessionData(request.body), principal };
  }
  const data = checkSignedRequest(claims, request, deps.config);
  await assertFirstUse(claims, request.now, deps);
  return { data, principal: { kind: 'master' } };
}

/**
 * Optional `jti` (docs/api.md, Authenticating admin requests): the token is good for one request, on every instance, until
 * it expires. Checked last, so that a token refused for another reason does not spend its jti.
 */
async function assertFirstUse(claims: Claims, now: Date, deps: Pick<Deps, 'db'>): Promise<void> {
  if (claims.jti === undefined) return;
  if (typeof claims.jti !== 'string' || claims.jti.length < 1 || claims.jti.length > 255) {
    throw refuse('malformed', 'jti must be a string of 1-255 characters');
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  if (!(await spendJti(claims.jti, exp, now, deps))) throw refuse('replayed', 'jti replayed');
}

/** The live session a session token names; 401 when it is revoked, expired or not a session. */
export async function authenticateSessionToken(
  token: string,
  now: Date,
  config: Config,
  deps: Pick<Deps, 'models'>,
): Promise<AdminSession> {
  const claims = verifySignature(token, config);
  // A signed request token is never a session: it carries the master password, not a sid.
  if (!('sid' in claims)) throw refuse('signature_or_credential', 'not a session token');
  return requireSession(claims, now, deps);
}

async function requireSession(claims: Claims, now: Date, deps: Pick<Deps, 'models'>): Promise<AdminSession> {
  // Console sessions are signed here, with ADMIN_SESSION_TTL.
  assertLifetime(claims, epochSeconds(now), { maxTtl: ADMIN_SESSION_TTL, allowNoExp: false });
  if (typeof claims.sid !== 'string') throw refuse('malformed', 'sid is not a string');
  const session = await findActiveSession(claims, now, deps);
  if (!session) throw refuse('session_ended', 'no live session for this sid (logged out or expired)');
  return session;
}

/** With a session (or an application key) the request data is the JSON body. */
export function sessionData(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isPlainObject(body)) {
    throw new AppError('validation_failed', 'The request body must be a JSON object.', [
      { field: '(body)', message: 'must be an object' },
    ]);
  }
  return body;
}

/**
 * JaWTh's signed admin request (docs/api.md, Authenticating admin requests): an HS256 token signed with SECRET_KEY carrying
 * the master password and the request data. Returns the data the request may act on. The
 * one-use `jti` needs the database: authenticateAdmin checks it.
 */
export function authenticateSignedRequest(request: AdminRequest, config: Config): Record<string, unknown> {
  return checkSignedRequest(verifySignature(request.token, config), request, config);
}

function checkSignedRequest(claims: Claims, request: AdminRequest, config: Config): Record<string, unknown> {
  // Right after the signature, so that a wrong JAWTH_KEY reads like a wrong SECRET_KEY.
  assertMasterPassword(claims, config);
  assertLifetime(claims, epochSeconds(request.now), {
    maxTtl: config.adminTokenMaxTtl,
    allowNoExp: config.adminAllowNoExp,
  });
  // RFC 9449 §4.3: a token is bound to a method and a target together, or to nothing; one
  // without the other would let a token minted for reading a resource also delete it.
  if ((claims.htm === undefined) !== (claims.htu === undefined)) {
    throw refuse('malformed', 'htm and htu must be given together');
  }
  if (
    claims.htm !== undefined &&
    (typeof claims.htm !== 'string' || claims.htm.toUpperCase() !== request.method.toUpperCase())
  ) {
    throw refuse('method_mismatch', 'htm does not match the request method');
  }
  if (claims.htu !== undefined && (typeof claims.htu !== 'string' || !htuMatches(claims.htu, request))) {
    throw refuse('path_mismatch', 'htu does not match the request');
  }
  return signedData(claims.data, request.body);
}

const ABSOLUTE_URL = /^(https?:\/\/[^/?#]+)(.*)$/i;

/**
 * `htu` binds the token to one request target: the path **with its query string**, compared as
 * sent (a token for `/applications/x` does not read `?include_secret=true`), or an absolute URL
 * whose path and query so match and whose origin is this server's.
 */
function htuMatches(htu: string, request: AdminRequest): boolean {
  if (htu.startsWith('/') && !htu.startsWith('//')) return htu === request.path;
  const absolute = ABSOLUTE_URL.exec(htu);
  if (!absolute) return false;
  const target = absolute[2] === '' ? '/' : absolute[2];
  return target === request.path && sameOrigin(absolute[1], request.origin);
}

function sameOrigin(given: string, ours: string): boolean {
  try {
    return new URL(given).origin === new URL(ours).origin;
  } catch {
    return false;
  }
}

function signedData(data: unknown, body: unknown): Record<string, unknown> {
  const hasBody = body !== undefined && !(isPlainObject(body) && Object.keys(body).length === 0);
  if (data === undefined) {
    if (hasBody) throw new AppError('unsigned_body', 'Admin data must be signed: put it in the token\'s "data" claim.');
    return {};
  }
  if (!isPlainObject(data)) {
    throw new AppError('validation_failed', 'The "data" claim must be a JSON object.', [
      { field: 'data', message: 'must be an object' },
    ]);
  }
  if (hasBody && !isDeepStrictEqual(body, data)) {
    throw new AppError('body_mismatch', 'The request body differs from the signed "data" claim.');
  }
  return data;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

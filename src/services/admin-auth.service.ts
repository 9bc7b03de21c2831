import { isDeepStrictEqual } from 'node:util';
import { TokenError, verifyToken, type Claims } from '../crypto/jwt';
import { safeEqual } from '../crypto/random';
import { AppError } from '../errors';
import type { Config } from '../config/config';
import type { AdminSession } from '../db/models';
import { spendJti } from './admin-replay.service';
import { ADMIN_SESSION_TTL, findActiveSession } from './admin-session.service';
import { epochSeconds, type Deps } from './deps';

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

const unauthorized = (why: string, cause?: unknown) =>
  new AppError('unauthorized', 'A valid admin credential is required.', undefined, { cause: cause ?? new Error(why) });

/** Clock difference tolerated between the signer and this server (contract §3.1). */
export const CLOCK_SKEW = 60;

/** Checks signature (HS256, SECRET_KEY) and times; any failure is 401 unauthorized. */
function verifyAdminToken(token: string, config: Config, now: Date): Claims {
  let claims: Claims;
  try {
    claims = verifyToken(token, config.secretKey, { now: epochSeconds(now), requireExp: !config.adminAllowNoExp });
  } catch (error) {
    if (error instanceof TokenError) throw unauthorized('bad token', error);
    throw error;
  }
  // Console sessions are signed here with ADMIN_SESSION_TTL; signed requests by their sender.
  const isSession = 'sid' in claims;
  assertLifetime(claims, epochSeconds(now), {
    maxTtl: isSession ? ADMIN_SESSION_TTL : config.adminTokenMaxTtl,
    allowNoExp: !isSession && config.adminAllowNoExp,
  });
  return claims;
}

/**
 * Contract §3.1: a token lives at most `maxTtl`, however it is dated. Checking `exp - iat` alone
 * let a token dated ahead (iat ten years on, or iat = exp = 1e308) live for ever, so `iat` may
 * not lie in the future and `exp` may not lie further than `maxTtl` from now (both give or take
 * CLOCK_SKEW), and both must be integers a clock can reach.
 */
function assertLifetime(claims: Claims, now: number, rule: { maxTtl: number; allowNoExp: boolean }): void {
  const { iat, exp } = claims;
  if (iat !== undefined && !Number.isSafeInteger(iat)) throw unauthorized('iat is not an integer');
  if (exp !== undefined && !Number.isSafeInteger(exp)) throw unauthorized('exp is not an integer');
  if (typeof iat === 'number' && iat > now + CLOCK_SKEW) throw unauthorized('issued in the future');
  if (typeof exp !== 'number') {
    if (!rule.allowNoExp) throw unauthorized('exp is required');
    return;
  }
  if (exp > now + rule.maxTtl + CLOCK_SKEW) throw unauthorized('expires further ahead than the maximum lifetime');
  const issuedAt = typeof iat === 'number' ? iat : now;
  if (exp - issuedAt > rule.maxTtl) throw unauthorized('lives longer than the maximum lifetime');
}

/**
 * Both ways of contract §3.1. A token carrying `sid` is a console session and is accepted only
 * as `Authorization: Bearer`; any other token is a signed request (which refuses `sid`).
 */
export async function authenticateAdmin(
  request: AdminRequest & { scheme: 'jwt' | 'bearer' },
  deps: Deps,
): Promise<{ data: Record<string, unknown>; actor: string }> {
  const claims = verifyAdminToken(request.token, deps.config, request.now);
  if (request.scheme === 'bearer' && 'sid' in claims) {
    const session = await requireSession(claims, request.now);
    return { data: sessionData(request.body), actor: `admin:${session.account?.username ?? 'unknown'}` };
  }
  const data = checkSignedRequest(claims, request, deps.config);
  await assertFirstUse(claims, request.now);
  return { data, actor: 'signed_request' };
}

/**
 * Optional `jti` (contract §3.1): the token is good for one request, on every instance, until
 * it expires. Checked last, so that a token refused for another reason does not spend its jti.
 */
async function assertFirstUse(claims: Claims, now: Date): Promise<void> {
  if (claims.jti === undefined) return;
  if (typeof claims.jti !== 'string' || claims.jti.length < 1 || claims.jti.length > 255) {
    throw unauthorized('jti must be a string of 1-255 characters');
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  if (!(await spendJti(claims.jti, exp, now))) throw unauthorized('jti replayed');
}

/** The live session a session token names; 401 when it is revoked, expired or not a session. */
export async function authenticateSessionToken(token: string, now: Date, config: Config): Promise<AdminSession> {
  return requireSession(verifyAdminToken(token, config, now), now);
}

async function requireSession(claims: Claims, now: Date): Promise<AdminSession> {
  const session = await findActiveSession(claims, now);
  if (!session) throw unauthorized('no live session for this sid');
  return session;
}

/** With a session the request data is the JSON body. */
function sessionData(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isPlainObject(body)) {
    throw new AppError('validation_failed', 'The request body must be a JSON object.', [
      { field: '(body)', message: 'must be an object' },
    ]);
  }
  return body;
}

/**
 * JaWTh's signed admin request (contract §3.1): an HS256 token signed with SECRET_KEY carrying
 * the master password and the request data. Returns the data the request may act on. The
 * one-use `jti` needs the database: authenticateAdmin checks it.
 */
export function authenticateSignedRequest(request: AdminRequest, config: Config): Record<string, unknown> {
  return checkSignedRequest(verifyAdminToken(request.token, config, request.now), request, config);
}

function checkSignedRequest(claims: Claims, request: AdminRequest, config: Config): Record<string, unknown> {
  // Session tokens of the console carry `sid`; they are never accepted as signed requests.
  if ('sid' in claims) throw unauthorized('session token used as signed request');
  if (typeof claims.password !== 'string' || !safeEqual(claims.password, config.jawthKey)) {
    throw unauthorized('wrong master password');
  }
  if (
    claims.htm !== undefined &&
    (typeof claims.htm !== 'string' || claims.htm.toUpperCase() !== request.method.toUpperCase())
  ) {
    throw unauthorized('htm does not match the request method');
  }
  if (claims.htu !== undefined && (typeof claims.htu !== 'string' || !htuMatches(claims.htu, request))) {
    throw unauthorized('htu does not match the request');
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

import { TokenError, verifyToken, type Claims } from '../crypto/jwt';
import { safeEqual } from '../crypto/random';
import { AppError, type AuthReason } from '../errors';
import type { Config } from '../config/config';

/**
 * Every refused admin credential answers 401 `unauthorized` with the same message and a
 * `reason` naming the rule it broke (docs/api.md, Authenticating admin requests); `why` and `cause` go to the log only.
 */
export const refuse = (reason: AuthReason, why: string, cause?: unknown) =>
  new AppError('unauthorized', 'A valid admin credential is required.', undefined, {
    reason,
    cause: cause ?? new Error(why),
  });

/** Clock difference tolerated between the signer and this server (docs/api.md, Authenticating admin requests). */
export const CLOCK_SKEW = 60;

/**
 * The token's claims once its HS256 signature by SECRET_KEY holds; times are checked by
 * assertLifetime. A bad signature costs the same JAWTH_KEY comparison as a wrong master
 * password (assertMasterPassword), so that neither the reason nor the time tells a guesser
 * which of the two keys was wrong.
 */
export function verifySignature(token: string, config: Config): Claims {
  try {
    return verifyToken(token, config.secretKey, { ignoreTimes: true, evenTiming: true });
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    if (error.kind === 'signature') {
      safeEqual('', config.jawthKey);
      throw refuse('signature_or_credential', 'bad signature', error);
    }
    throw refuse(error.kind === 'algorithm' ? 'algorithm' : 'malformed', 'unreadable token', error);
  }
}

/** The JaWTh master password, compared in constant time; a session token (`sid`) has none. */
export function assertMasterPassword(claims: Claims, config: Config): void {
  const given = typeof claims.password === 'string' ? claims.password : '';
  const matches = safeEqual(given, config.jawthKey);
  if ('sid' in claims) throw refuse('signature_or_credential', 'session token used as signed request');
  if (typeof claims.password !== 'string' || !matches) throw refuse('signature_or_credential', 'wrong master password');
}

/**
 * docs/api.md, Authenticating admin requests: a token lives at most `maxTtl`, however it is dated. Checking `exp - iat` alone
 * let a token dated ahead (iat ten years on, or iat = exp = 1e308) live for ever, so `iat` may
 * not lie in the future and `exp` may not lie further than `maxTtl` from now (both give or take
 * CLOCK_SKEW), and both must be integers.
 */
export function assertLifetime(claims: Claims, now: number, rule: { maxTtl: number; allowNoExp: boolean }): void {
  const { iat, exp, nbf } = claims;
  if (iat !== undefined && !Number.isInteger(iat)) throw refuse('malformed', 'iat is not an integer');
  if (exp !== undefined && !Number.isInteger(exp)) throw refuse('malformed', 'exp is not an integer');
  if (typeof exp === 'number' && exp <= now) throw refuse('expired', 'expired');
  if (typeof iat === 'number' && iat > now + CLOCK_SKEW) throw refuse('issued_in_future', 'iat in the future');
  if (typeof nbf === 'number' && nbf > now) throw refuse('issued_in_future', 'nbf in the future');
  if (typeof exp !== 'number') {
    if (!rule.allowNoExp) throw refuse('lifetime', 'exp is required');
    return;
  }
  if (exp > now + rule.maxTtl + CLOCK_SKEW) throw refuse('lifetime', 'expires further ahead than the maximum');
  const issuedAt = typeof iat === 'number' ? iat : now;
  if (exp - issuedAt > rule.maxTtl) throw refuse('lifetime', 'lives longer than the maximum lifetime');
}

import { sha256 } from '../crypto/random';
import { issueTokenOnce, purgeExpiredTokens } from '../db/one-use-token.repository';
import type { Deps } from './deps';

/** A token without `exp` (ADMIN_ALLOW_NO_EXP) never expires: its jti is kept for good. */
const NEVER = new Date('9999-12-31T00:00:00Z').getTime();

/**
 * Records the `jti` of a one-use admin request token (its SHA-256, as an `admin_jti` one-use
 * token until the request token's `exp`); false when it was seen before and its token has not
 * expired (a replay). The INSERT on the unique key is the check, so that of two requests or two
 * instances racing with one token exactly one wins: no read-then-write.
 */
export async function spendJti(
  jti: string,
  exp: number | undefined,
  now: Date,
  deps: Pick<Deps, 'db'>,
): Promise<boolean> {
  const expiresAt = exp === undefined ? NEVER : exp * 1000;
  const token = { tokenHash: sha256(jti), purpose: 'admin_jti' as const, expiresAt, createdAt: now.getTime() };
  return issueTokenOnce(deps.db, token, now);
}

/** Deletes the jtis of tokens that have expired; returns how many went. */
export function purgeSpentJtis(now: Date, deps: Pick<Deps, 'db'>): Promise<number> {
  return purgeExpiredTokens(deps.db, now, ['admin_jti']);
}

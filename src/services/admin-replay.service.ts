import { Op, UniqueConstraintError } from 'sequelize';
import { sha256 } from '../crypto/random';
import type { Deps } from './deps';

/** A token without `exp` (ADMIN_ALLOW_NO_EXP) never expires: its jti is kept for good. */
const NEVER = new Date('9999-12-31T00:00:00Z');

/**
 * Records the `jti` of a one-use admin request token; false when it was seen before and its
 * token has not expired (a replay). The INSERT on the unique key is the check, so that of two
 * requests or two instances racing with one token exactly one wins: no read-then-write.
 */
export async function spendJti(
  jti: string,
  exp: number | undefined,
  now: Date,
  deps: Pick<Deps, 'models'>,
): Promise<boolean> {
  const { AdminRequestJti } = deps.models;
  const jtiHash = sha256(jti);
  // A row outliving its token guards nothing; dropping it lets a new token reuse the jti.
  await AdminRequestJti.destroy({ where: { jtiHash, expiresAt: { [Op.lte]: now } } });
  try {
    await AdminRequestJti.create({ jtiHash, expiresAt: exp === undefined ? NEVER : new Date(exp * 1000) });
    return true;
  } catch (error) {
    if (error instanceof UniqueConstraintError) return false;
    throw error;
  }
}

/** Deletes the jtis of tokens that have expired; returns how many went. */
export function purgeSpentJtis(now: Date, deps: Pick<Deps, 'models'>): Promise<number> {
  return deps.models.AdminRequestJti.destroy({ where: { expiresAt: { [Op.lte]: now } } });
}

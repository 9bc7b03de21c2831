import { Op } from 'sequelize';
import { signToken, type Claims } from '../crypto/jwt';
import { dummyVerify, hashPassword, needsRehash, verifyPassword } from '../crypto/password';
import { randomSecret, sha256 } from '../crypto/random';
import { AppError } from '../errors';
import type { AdminAccount, AdminSession } from '../db/models';
import { findFactor } from '../db/second-factor.repository';
import type { AdminSessionResponse } from '../schemas/responses.schema';
import { issueMfaToken } from './mfa-codes.service';
import { epochSeconds, type Deps } from './deps';

/** Console sessions are short: a stolen token is worth half an hour at most, and logout ends it sooner. */
export const ADMIN_SESSION_TTL = 30 * 60;

/** The answer of `POST /admin/login` (adminSessionSchema). */
export type AdminLoginResult = AdminSessionResponse;

/**
 * Unknown admin and wrong password get the same answer after the same bcrypt work. The token
 * carries `sid`, a random id whose SHA-256 names the stored session: only sessions carry it.
 */
export async function adminLogin(
  username: string,
  password: string,
  deps: Deps,
): Promise<AdminLoginResult | { mfa_required: true; mfa_token: string }> {
  const { bcryptCost } = deps.config;
  const account = await deps.models.AdminAccount.findOne({ where: { username } });
  const matches = account
    ? await verifyPassword(password, account.passwordHash)
    : await dummyVerify(password, bcryptCost);
  if (!account || !matches) throw new AppError('invalid_credentials');
  if (needsRehash(account.passwordHash, bcryptCost)) account.passwordHash = await hashPassword(password, bcryptCost);
  // An account with an active second factor gets a session only from /admin/login/mfa.
  const factor = await findFactor(deps.db, { adminId: account.id });
  if (factor?.confirmedAt != null) {
    if (account.changed('passwordHash')) await account.save();
    return {
      mfa_required: true,
      mfa_token: await issueMfaToken({ adminId: account.id }, 'login', 'admin', null, deps),
    };
  }
  return openAdminSession(account, deps);
}

/** Records the login and opens a console session for the account. */
export async function openAdminSession(account: AdminAccount, deps: Deps): Promise<AdminLoginResult> {
  const now = deps.clock.now();
  account.lastLoginAt = now;
  await account.save();
  const sid = randomSecret();
  const iat = epochSeconds(now);
  await deps.models.AdminSession.create({
    sidHash: sha256(sid),
    adminAccountId: account.id,
    expiresAt: new Date((iat + ADMIN_SESSION_TTL) * 1000),
  });
  const token = signToken({ sid, sub: account.username, iat, exp: iat + ADMIN_SESSION_TTL }, deps.config.secretKey);
  return { token, expires_in: ADMIN_SESSION_TTL };
}

/** The stored session a verified session token names, if it is neither revoked nor expired. */
export async function findActiveSession(
  claims: Claims,
  now: Date,
  deps: Pick<Deps, 'models'>,
): Promise<AdminSession | null> {
  if (typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return null;
  const { AdminAccount, AdminSession } = deps.models;
  return AdminSession.findOne({
    where: { sidHash: sha256(claims.sid), revokedAt: null, expiresAt: { [Op.gt]: now } },
    include: [{ model: AdminAccount, as: 'account', required: true }],
  });
}

export async function revokeSession(session: AdminSession, now: Date): Promise<void> {
  session.revokedAt = now;
  await session.save();
}

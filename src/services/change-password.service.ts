import { hashPassword } from '../crypto/password';
import { assertPasswordPolicy } from '../policy/password-policy';
import { TokenError, verifyToken, type Claims } from '../crypto/jwt';
import type { Application } from '../db/application.repository';
import type { User } from '../db/user.repository';
import { AppError } from '../errors';
import type { ClientInfo } from '../db/session.repository';
import { verificationSecrets } from './application.service';
import type { Deps } from './deps';
import { findLoginUser, startLogin, type LoginResult } from './login.service';
import { revokeSessions } from './user.service';

/**
 * JaWTh's change_password: the caller proves itself with the token of the user's latest login.
 * Every earlier session ends; the answer carries a fresh login.
 */
export async function changePassword(
  appName: string,
  username: string,
  token: string,
  input: { password: string; repeated_password: string },
  client: ClientInfo,
  deps: Deps,
): Promise<LoginResult> {
  const user = await findLoginUser(appName, username, deps);
  const app = user?.application;
  if (!user || !app || user.disabled) throw new AppError('unauthorized', 'The token is not valid for this user.');
  const now = deps.clock.now();
  const claims = assertLatestLoginToken(user, app, token, deps);
  if (input.password !== input.repeated_password) {
    throw new AppError('validation_failed', 'The two passwords differ.', [
      { field: 'repeated_password', message: 'must equal password' },
    ]);
  }
  assertPasswordPolicy(input.password, deps.config.passwordMinLength);
  const passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  await revokeSessions(user, app, now, deps, 'user.password_changed', { passwordHash });
  return startLogin(user, client, deps, amrOf(claims.amr));
}

const amrOf = (value: unknown) => (Array.isArray(value) ? (value as string[]) : undefined);

/**
 * The claims of a token from the user's latest login (and no revocation since), or 401
 * unauthorized: what change_password and a second factor's enrolment accept.
 */
export function assertLatestLoginToken(user: User, app: Application, token: string, deps: Deps): Claims {
  const claims = verifiedLoginClaims(app, token, deps);
  if (claims.app !== app.name || claims.username !== user.username || claims.id !== user.uid) {
    throw new AppError('unauthorized', 'The token is not valid for this user.');
  }
  assertLatestLogin(user, claims);
  return claims;
}

/** The claims of a token signed by the application (its current or its previous secret), or 401. */
export function verifiedLoginClaims(app: Application, token: string, deps: Deps): Claims {
  const now = deps.clock.now();
  try {
    return verifyToken(token, verificationSecrets(app, now, deps.config.secretKey), {
      now: Math.floor(now.getTime() / 1000),
      requireExp: true,
    });
  } catch (error) {
    if (error instanceof TokenError)
      throw new AppError('unauthorized', 'The token is not valid for this user.', undefined, { cause: error });
    throw error;
  }
}

/** Only the token of the latest login counts, and not if the user's sessions were revoked since. */
export function assertLatestLogin(user: User, claims: Claims): void {
  const latestLogin = user.lastLoginAt;
  const revokedSince = latestLogin && user.tokensValidAfter && latestLogin < user.tokensValidAfter;
  if (!latestLogin || claims.timestamp !== latestLogin.toISOString() || revokedSince) {
    throw new AppError('unauthorized', 'The token is not from the latest login; log in again.');
  }
}

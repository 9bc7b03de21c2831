import { dummyVerify, hashPassword, needsRehash, verifyPassword } from '../crypto/password';
import { AppError } from '../errors';
import type { UserOfApplication } from '../db/user.repository';
import type { ClientInfo } from '../db/session.repository';
import type { LoginResponse } from '../schemas/responses.schema';
import type { Deps } from './deps';
import { secondFactorStep, type MfaChallenge } from './mfa-codes.service';
import { accessClaims, amrClaims, createRefreshToken, signAccessToken } from './token.service';

/** The answer of `POST /:app/login` and of a password change (loginResultSchema). */
export type LoginResult = LoginResponse;

/** One query finds the user with the application and memberships the token needs. */
export function findLoginUser(
  appName: string,
  username: string,
  deps: Pick<Deps, 'users'>,
): Promise<UserOfApplication | null> {
  return deps.users.findForLogin(appName, username);
}

/**
 * Unknown application, unknown user, wrong password and disabled user all get the same answer
 * after the same bcrypt work, so that neither the body nor the timing tells them apart.
 */
export async function login(
  appName: string,
  username: string,
  password: string,
  client: ClientInfo,
  deps: Deps,
): Promise<LoginResult | MfaChallenge> {
  const user = await authenticate(appName, username, password, deps);
  return (await secondFactorStep(user, 'login', null, deps)) ?? startLogin(user, client, deps);
}

/** The user with these credentials, with application and memberships; re-hashes an old cost. */
export async function authenticate(
  appName: string,
  username: string,
  password: string,
  deps: Deps,
): Promise<UserOfApplication> {
  const { bcryptCost } = deps.config;
  const user = await findLoginUser(appName, username, deps);
  const matches = user ? await verifyPassword(password, user.passwordHash) : await dummyVerify(password, bcryptCost);
  if (!user || !matches || user.disabled) throw new AppError('invalid_credentials');
  if (needsRehash(user.passwordHash, bcryptCost)) {
    user.passwordHash = await hashPassword(password, bcryptCost);
    await deps.users.update(user.id, { passwordHash: user.passwordHash });
  }
  return user;
}

/**
 * Records this login's time. Each login's time names it (change_password accepts only the latest
 * login's token), so it strictly increases.
 */
export async function recordLogin(user: UserOfApplication, deps: Deps): Promise<Date> {
  const floor = Math.max(
    deps.clock.now().getTime(),
    user.lastLoginAt ? user.lastLoginAt.getTime() + 1 : 0,
    user.tokensValidAfter?.getTime() ?? 0,
  );
  const now = new Date(floor);
  user.lastLoginAt = now;
  await deps.users.update(user.id, { lastLoginAt: now });
  return now;
}

/** Issues a login token (carrying this login's `timestamp`) and a refresh token. */
export async function startLogin(
  user: UserOfApplication,
  client: ClientInfo,
  deps: Deps,
  amr?: string[],
): Promise<LoginResult> {
  const app = user.application;
  const now = await recordLogin(user, deps);
  const extra = { timestamp: now.toISOString(), ...amrClaims(amr) };
  const claims = accessClaims(app, user, now, app.accessTtl, deps.config.issuer, extra);
  return {
    token: signAccessToken(app, claims, deps),
    refresh_token: await createRefreshToken(app, user, app.refreshTtlMax, deps, client, { amr }),
    expires_in: app.accessTtl,
    token_type: 'Bearer',
    username: user.username,
    uid: user.uid,
    role: user.role,
  };
}

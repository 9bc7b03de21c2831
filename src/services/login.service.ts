import { dummyVerify, hashPassword, needsRehash, verifyPassword, assertPasswordPolicy } from '../crypto/password';
import { TokenError, verifyToken } from '../crypto/jwt';
import { AppError } from '../errors';
import { Application, User } from '../db/models';
import type { ClientInfo } from '../db/session.repository';
import { verificationSecrets } from './application.service';
import { assertTtl } from './refresh.service';
import type { Deps } from './deps';
import { accessClaims, createRefreshToken, signAccessToken } from './token.service';
import { MEMBERSHIPS, revokeSessions } from './user.service';

const INVALID = 'The username or password is incorrect.';

export interface LoginResult {
  token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
  username: string;
  uid: string;
  role: string;
}

/** One query finds the user with the application and memberships the token needs. */
function findLoginUser(appName: string, username: string): Promise<User | null> {
  return User.findOne({
    where: { username },
    include: [{ model: Application, as: 'application', where: { name: appName }, required: true }, ...MEMBERSHIPS],
  });
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
): Promise<LoginResult> {
  return startLogin(await authenticate(appName, username, password, deps), client, deps);
}

/**
 * Quid's `POST /token/refresh`: a refresh token for valid credentials. An unknown application
 * answers like an unknown user, after the same bcrypt work, and the lifetime is judged only
 * after the credentials, so that no answer tells which applications exist or their maxima.
 */
export async function quidRefreshToken(
  namespace: string,
  username: string,
  password: string,
  ttl: number | undefined,
  client: ClientInfo,
  deps: Deps,
): Promise<{ token: string }> {
  const user = await authenticate(namespace, username, password, deps);
  const app = user.application as Application;
  assertTtl(ttl ?? app.refreshTtlMax, app.refreshTtlMax, 'refresh');
  await recordLogin(user, deps);
  return { token: await createRefreshToken(app, user, ttl ?? app.refreshTtlMax, deps, client) };
}

/** The user with these credentials, with application and memberships; re-hashes an old cost. */
async function authenticate(appName: string, username: string, password: string, deps: Deps): Promise<User> {
  const { bcryptCost } = deps.config;
  const user = await findLoginUser(appName, username);
  const matches = user ? await verifyPassword(password, user.passwordHash) : await dummyVerify(password, bcryptCost);
  if (!user || !matches || user.disabled) throw new AppError('invalid_credentials', INVALID);
  if (needsRehash(user.passwordHash, bcryptCost)) user.passwordHash = await hashPassword(password, bcryptCost);
  return user;
}

/**
 * Records this login's time, saving any re-hash with it. Each login's time names it
 * (change_password accepts only the latest login's token), so it strictly increases.
 */
async function recordLogin(user: User, deps: Deps): Promise<Date> {
  const floor = Math.max(
    deps.clock.now().getTime(),
    user.lastLoginAt ? user.lastLoginAt.getTime() + 1 : 0,
    user.tokensValidAfter?.getTime() ?? 0,
  );
  const now = new Date(floor);
  user.lastLoginAt = now;
  await user.save();
  return now;
}

/** Issues a login token (carrying this login's `timestamp`) and a refresh token. */
async function startLogin(user: User, client: ClientInfo, deps: Deps): Promise<LoginResult> {
  const app = user.application as Application;
  const now = await recordLogin(user, deps);
  const claims = accessClaims(app, user, now, app.accessTtl, deps.config.issuer, { timestamp: now.toISOString() });
  return {
    token: signAccessToken(app, claims),
    refresh_token: await createRefreshToken(app, user, app.refreshTtlMax, deps, client),
    expires_in: app.accessTtl,
    token_type: 'Bearer',
    username: user.username,
    uid: user.uid,
    role: user.role,
  };
}

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
  const user = await findLoginUser(appName, username);
  const app = user?.application;
  if (!user || !app || user.disabled) throw new AppError('unauthorized', 'The token is not valid for this user.');
  const now = deps.clock.now();
  let claims;
  try {
    claims = verifyToken(token, verificationSecrets(app, now), {
      now: Math.floor(now.getTime() / 1000),
      requireExp: true,
    });
  } catch (error) {
    if (error instanceof TokenError)
      throw new AppError('unauthorized', 'The token is not valid for this user.', undefined, { cause: error });
    throw error;
  }
  if (claims.app !== app.name || claims.username !== user.username || claims.id !== user.uid) {
    throw new AppError('unauthorized', 'The token is not valid for this user.');
  }
  // Only the token of the latest login counts, and not if the user's sessions were revoked since.
  const latestLogin = user.lastLoginAt;
  const revokedSince = latestLogin && user.tokensValidAfter && latestLogin < user.tokensValidAfter;
  if (!latestLogin || claims.timestamp !== latestLogin.toISOString() || revokedSince) {
    throw new AppError('unauthorized', 'The token is not from the latest login; log in again.');
  }
  if (input.password !== input.repeated_password) {
    throw new AppError('validation_failed', 'The two passwords differ.', [
      { field: 'repeated_password', message: 'must equal password' },
    ]);
  }
  assertPasswordPolicy(input.password, deps.config.passwordMinLength);
  user.passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  await revokeSessions(user, now, deps);
  return startLogin(user, client, deps);
}

import crypto from 'node:crypto';
import type { Transaction } from 'sequelize';
import { signToken, type Claims } from '../crypto/jwt';
import { randomId, sha256 } from '../crypto/random';
import { Session, type Application, type User } from '../db/models';
import type { ClientInfo, NewSession } from '../db/session.repository';
import { keyId } from './application.service';
import { epochSeconds, type Deps } from './deps';
import { memberNames, type Members } from './user.service';

/** What a token says about its user. */
export type TokenUser = Pick<User, 'username' | 'uid' | 'role'> & Members;

/**
 * The claims of a token an application verifies: `aud` only when the application sets an
 * audience, because PyJWT's plain decode refuses a token whose audience it was not told about.
 */
export function accessClaims(
  app: Application,
  user: TokenUser,
  now: Date,
  ttl: number,
  issuer: string,
  extra: Claims = {},
): Claims {
  const iat = epochSeconds(now);
  return {
    username: user.username,
    id: user.uid,
    role: user.role,
    ...memberNames(user),
    ...extra,
    app: app.name,
    iss: issuer,
    ...(app.audience ? { aud: app.audience } : {}),
    iat,
    exp: iat + ttl,
  };
}

export function signAccessToken(app: Application, claims: Claims): string {
  return signToken(claims, app.secret, keyId(app));
}

/**
 * A refresh token: a JWT signed with the application's refresh secret (never handed out), whose
 * random `jti` is recorded only as its SHA-256, with family, user and absolute expiry. Returns
 * the token and the session row to store; createRefreshToken stores it.
 */
export function newRefreshToken(
  app: Application,
  user: Pick<User, 'id' | 'username'>,
  ttl: number,
  deps: Pick<Deps, 'clock' | 'config'>,
  client: ClientInfo,
  familyId: string = randomId(),
): { token: string; session: NewSession } {
  const jti = crypto.randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  const iat = epochSeconds(now);
  const token = signToken(
    { username: user.username, app: app.name, jti, typ: 'refresh', iss: deps.config.issuer, iat, exp: iat + ttl },
    app.refreshSecret,
  );
  const session = {
    tokenHash: sha256(jti),
    familyId,
    userId: user.id,
    expiresAt: new Date((iat + ttl) * 1000),
    ip: client.ip?.slice(0, 64) ?? null,
    userAgent: client.userAgent?.slice(0, 255) ?? null,
    createdAt: now,
  };
  return { token, session };
}

/** A refresh token of a new family (a login), stored at once. */
export async function createRefreshToken(
  app: Application,
  user: Pick<User, 'id' | 'username'>,
  ttl: number,
  deps: Pick<Deps, 'clock' | 'config'>,
  client: ClientInfo,
  options: { transaction?: Transaction } = {},
): Promise<string> {
  const { token, session } = newRefreshToken(app, user, ttl, deps, client);
  await Session.create({ ...session, usedAt: null, revokedAt: null }, { transaction: options.transaction });
  return token;
}

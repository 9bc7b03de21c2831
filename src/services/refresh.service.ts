import { Op } from 'sequelize';
import { TokenError, verifyToken } from '../crypto/jwt';
import { sha256 } from '../crypto/random';
import { AppError } from '../errors';
import { Session, type Application } from '../db/models';
import { findSessionByTokenHash, type SessionRecord } from '../db/session.repository';
import { cachedApplication } from './application-cache';
import { epochSeconds, type Deps } from './deps';
import { accessClaims, createRefreshToken, signAccessToken } from './token.service';

const invalidToken = (why: string, cause?: unknown) =>
  new AppError('invalid_token', 'The refresh token is not valid; log in again.', undefined, {
    cause: cause ?? new Error(why),
  });

/** The application a public token request names; unknown names answer like bad credentials. */
export async function requireApplication(name: string): Promise<Application> {
  const app = await cachedApplication(name);
  if (!app) throw invalidToken('unknown application');
  return app;
}

export function assertTtl(ttl: number, max: number, kind: 'refresh' | 'access'): void {
  if (ttl > max) {
    throw new AppError('ttl_exceeds_max', `The requested ${kind} token lifetime exceeds this application's maximum.`);
  }
}

/**
 * Verifies a refresh token of this application and finds its session, user and memberships in
 * one query. Revoked, expired, tampered, other-application and disabled-user tokens are refused.
 */
export async function readRefreshToken(
  app: Application,
  token: string,
  deps: Pick<Deps, 'clock' | 'db'>,
): Promise<SessionRecord> {
  const now = deps.clock.now();
  let claims;
  try {
    claims = verifyToken(token, app.refreshSecret, { now: epochSeconds(now), requireExp: true });
  } catch (error) {
    if (error instanceof TokenError) throw invalidToken('bad refresh token', error);
    throw error;
  }
  if (claims.typ !== 'refresh' || claims.app !== app.name || typeof claims.jti !== 'string') {
    throw invalidToken('not a refresh token of this application');
  }
  const session = await findSessionByTokenHash(deps.db, sha256(claims.jti));
  const user = session?.user;
  if (!session || !user || user.applicationId !== app.id) throw invalidToken('no such session');
  if (session.revokedAt) throw invalidToken('session revoked');
  if (session.expiresAt <= now) throw invalidToken('session expired');
  if (user.disabled) throw invalidToken('user disabled');
  return session;
}

/** Quid's `POST /token/access`: an access token for the holder of a refresh token. */
export async function accessToken(namespace: string, refreshToken: string, ttl: number | undefined, deps: Deps) {
  const app = await requireApplication(namespace);
  const lifetime = ttl ?? app.accessTtl;
  assertTtl(lifetime, app.accessTtlMax, 'access');
  const session = await readRefreshToken(app, refreshToken, deps);
  const claims = accessClaims(app, session.user, deps.clock.now(), lifetime, deps.config.issuer);
  return { token: signAccessToken(app, claims) };
}

/**
 * Rotating refresh (contract §4.4): the token is spent and a successor of the same family is
 * returned. A spent token presented again within REFRESH_REUSE_GRACE (concurrent tabs, retries)
 * gets a successor too; later, it is taken as stolen and its whole family is revoked.
 */
export async function rotateRefreshToken(appName: string, refreshToken: string, deps: Deps) {
  const app = await requireApplication(appName);
  const session = await readRefreshToken(app, refreshToken, deps);
  const now = deps.clock.now();
  if (!(await spend(session, now))) {
    const spentAt = (await Session.findByPk(session.id))?.usedAt ?? session.usedAt ?? now;
    if (now.getTime() - spentAt.getTime() > deps.config.refreshReuseGrace * 1000) {
      await Session.update({ revokedAt: now }, { where: { familyId: session.familyId, revokedAt: null } });
      deps.logger.warn({ app: app.name, family: session.familyId }, 'refresh token reused: family revoked');
      throw new AppError(
        'refresh_token_reused',
        'This refresh token was already used; every session of its family is revoked.',
      );
    }
  }
  const { user } = session;
  return {
    token: signAccessToken(app, accessClaims(app, user, now, app.accessTtl, deps.config.issuer)),
    refresh_token: await createRefreshToken(app, user, app.refreshTtlMax, deps, { familyId: session.familyId }),
    expires_in: app.accessTtl,
  };
}

/** Marks the session spent; false when it already was (atomic: one of two racing requests wins). */
async function spend(session: SessionRecord, now: Date): Promise<boolean> {
  if (session.usedAt) return false;
  const [changed] = await Session.update({ usedAt: now }, { where: { id: session.id, usedAt: null } });
  return changed === 1;
}

/** Deletes sessions that can no longer be used: expired, or revoked more than an hour ago. */
export async function purgeSessions(now: Date): Promise<number> {
  return Session.destroy({
    where: {
      [Op.or]: [{ expiresAt: { [Op.lt]: now } }, { revokedAt: { [Op.lt]: new Date(now.getTime() - 3600_000) } }],
    },
  });
}

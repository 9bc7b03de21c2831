import { Op } from 'sequelize';
import { TokenError, verifyToken } from '../crypto/jwt';
import { sha256 } from '../crypto/random';
import { AppError } from '../errors';
import { formatDuration } from '../config/duration';
import { Session, type Application } from '../db/models';
import {
  findSessionByTokenHash,
  renewSession,
  revokeUserSessions,
  touchSession,
  type ClientInfo,
  type SessionRecord,
} from '../db/session.repository';
import { cachedApplication } from './application-cache';
import { epochSeconds, type Deps } from './deps';
import { accessClaims, newRefreshToken, signAccessToken } from './token.service';

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
    throw new AppError(
      'ttl_exceeds_max',
      `The requested ${kind} token lifetime (${formatDuration(ttl)}) exceeds this application's maximum of ${formatDuration(max)}.`,
    );
  }
}

/**
 * Verifies a refresh token of this application and finds its session, user and memberships in
 * one query. Every path that accepts a refresh token goes through here: revoked, expired,
 * tampered, other-application and disabled-user tokens are refused, and a spent token presented
 * after REFRESH_REUSE_GRACE is taken as stolen: its whole family is revoked (contract §4.3, §4.4).
 */
export async function readRefreshToken(app: Application, token: string, deps: Deps): Promise<SessionRecord> {
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
  if (session.usedAt) await assertWithinGrace(app, session, session.usedAt, deps);
  return session;
}

/** A spent token is still good within the grace window (tabs, retries); after it, reuse revokes the family. */
async function assertWithinGrace(app: Application, session: SessionRecord, spentAt: Date, deps: Deps) {
  const now = deps.clock.now();
  if (now.getTime() - spentAt.getTime() <= deps.config.refreshReuseGrace * 1000) return;
  await revokeUserSessions(deps.db, session.user.id, now, { familyId: session.familyId });
  deps.logger.warn({ app: app.name, family: session.familyId }, 'refresh token reused: family revoked');
  throw new AppError(
    'refresh_token_reused',
    'This refresh token was already used; every session of its family is revoked.',
  );
}

/**
 * Quid's `POST /token/access`: an access token for the holder of a refresh token. The lifetime
 * is judged after the token, so that no answer tells which applications exist or their maxima.
 */
export async function accessToken(namespace: string, refreshToken: string, ttl: number | undefined, deps: Deps) {
  const app = await requireApplication(namespace);
  const session = await readRefreshToken(app, refreshToken, deps);
  const lifetime = ttl ?? app.accessTtl;
  assertTtl(lifetime, app.accessTtlMax, 'access');
  await touchSession(session, deps.clock.now());
  const claims = accessClaims(app, session.user, deps.clock.now(), lifetime, deps.config.issuer);
  return { token: signAccessToken(app, claims) };
}

/**
 * Rotating refresh (contract §4.4): the token is spent and a successor of the same family is
 * returned, in one step that a concurrent revocation cannot slip through (renewSession). A spent
 * token presented again within REFRESH_REUSE_GRACE (concurrent tabs, retries) gets a successor
 * too; later, it is taken as stolen and its whole family is revoked.
 */
export async function rotateRefreshToken(appName: string, refreshToken: string, client: ClientInfo, deps: Deps) {
  const app = await requireApplication(appName);
  const session = await readRefreshToken(app, refreshToken, deps);
  const { user } = session;
  const renew = async (spend: boolean) => {
    const next = newRefreshToken(app, user, app.refreshTtlMax, deps, client, session.familyId);
    const outcome = await renewSession(deps.db, { id: session.id, userId: user.id }, next.session, deps.clock.now(), {
      spend,
    });
    return { outcome, token: next.token };
  };
  let renewal = await renew(!session.usedAt);
  // A concurrent request spent it a moment ago, well within the grace: this one gets a successor too.
  if (renewal.outcome === 'already_spent') renewal = await renew(false);
  if (renewal.outcome !== 'renewed') throw invalidToken('session revoked during renewal');
  const now = deps.clock.now();
  return {
    token: signAccessToken(app, accessClaims(app, user, now, app.accessTtl, deps.config.issuer)),
    refresh_token: renewal.token,
    expires_in: app.accessTtl,
  };
}

/** Deletes sessions that can no longer be used: expired, or revoked more than an hour ago. */
export async function purgeSessions(now: Date): Promise<number> {
  return Session.destroy({
    where: {
      [Op.or]: [{ expiresAt: { [Op.lt]: now } }, { revokedAt: { [Op.lt]: new Date(now.getTime() - 3600_000) } }],
    },
  });
}

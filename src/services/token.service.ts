import crypto from 'node:crypto';
import { signToken, TokenError, verifyToken, type Claims } from '../crypto/jwt';
import { randomId, sha256 } from '../crypto/random';
import type { Application } from '../db/application.repository';
import type { User } from '../db/user.repository';
import { type ClientInfo, type NewSession, type SessionRecord } from '../db/session.repository';
import { formatDuration } from '../config/duration';
import { AppError } from '../errors';
import { recordAudit, REFRESH_REUSE_ACTION } from './audit.service';
import { keyId, openedSecret } from './application.service';
import { epochSeconds, type Deps } from './deps';
import { memberNames, type Members } from './user.service';
import { enqueueEvent } from './webhook-events.service';
import { type Transaction, inTransaction } from '../db/transaction';

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

export function signAccessToken(app: Application, claims: Claims, deps: Pick<Deps, 'config'>): string {
  return signToken(claims, openedSecret(app, 'secret', deps.config.secretKey), keyId(app));
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
  amr?: string[],
): { token: string; session: NewSession } {
  const jti = crypto.randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  const iat = epochSeconds(now);
  const token = signToken(
    {
      username: user.username,
      app: app.name,
      jti,
      typ: 'refresh',
      // How its login was authenticated, for the access tokens it will yield (RFC 8176).
      ...(amr ? { amr } : {}),
      iss: deps.config.issuer,
      iat,
      exp: iat + ttl,
    },
    openedSecret(app, 'refreshSecret', deps.config.secretKey),
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
  deps: Pick<Deps, 'sessions' | 'clock' | 'config'>,
  client: ClientInfo,
  options: { transaction?: Transaction; amr?: string[] } = {},
): Promise<string> {
  const { token, session } = newRefreshToken(app, user, ttl, deps, client, randomId(), options.amr);
  await deps.sessions.create(session, options.transaction);
  return token;
}

export const invalidToken = (why: string, cause?: unknown) =>
  new AppError('invalid_token', 'The refresh token is not valid; log in again.', undefined, {
    cause: cause ?? new Error(why),
  });

/** The application a public token request names; unknown names answer like bad credentials. */
export async function requireApplication(name: string, deps: Pick<Deps, 'caches'>): Promise<Application> {
  const app = await deps.caches.applications.find(name);
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
 * after REFRESH_REUSE_GRACE is taken as stolen: its whole family is revoked (docs/api.md, Quid refresh and access tokens; docs/api.md, rotation).
 */
export async function readRefreshToken(app: Application, token: string, deps: Deps): Promise<RefreshSession> {
  const now = deps.clock.now();
  const secret = openedSecret(app, 'refreshSecret', deps.config.secretKey);
  let claims;
  try {
    claims = verifyToken(token, secret, { now: epochSeconds(now), requireExp: true });
  } catch (error) {
    if (error instanceof TokenError) throw invalidToken('bad refresh token', error);
    throw error;
  }
  if (claims.typ !== 'refresh' || claims.app !== app.name || typeof claims.jti !== 'string') {
    throw invalidToken('not a refresh token of this application');
  }
  const session = await deps.sessions.findByTokenHash(sha256(claims.jti));
  const user = session?.user;
  if (!session || !user || user.applicationId !== app.id) throw invalidToken('no such session');
  if (session.revokedAt) throw invalidToken('session revoked');
  if (session.expiresAt <= now) throw invalidToken('session expired');
  if (user.disabled) throw invalidToken('user disabled');
  if (session.usedAt) await assertWithinGrace(app, session, session.usedAt, deps);
  return { ...session, amr: amrOf(claims.amr) };
}

/** A refresh session and how its login was authenticated (`amr`, after a second factor). */
export type RefreshSession = SessionRecord & { amr?: string[] };

function amrOf(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

/** The claims that say how a login was authenticated, when it took more than a password. */
export function amrClaims(amr: string[] | undefined): Claims {
  return amr ? { amr } : {};
}

/** A spent token is still good within the grace window (tabs, retries); after it, reuse revokes the family. */
async function assertWithinGrace(app: Application, session: SessionRecord, spentAt: Date, deps: Deps) {
  const now = deps.clock.now();
  if (now.getTime() - spentAt.getTime() <= deps.config.refreshReuseGrace * 1000) return;
  // The family's revocation and the webhook event are one change: both or neither.
  await inTransaction(deps.db, async (transaction) => {
    await deps.sessions.revokeOfUser(session.user.id, now, { familyId: session.familyId, transaction });
    await enqueueEvent(deps, transaction, app, 'refresh_token.reused', {
      uid: session.user.uid,
      username: session.user.username,
      session: session.familyId,
    });
  });
  deps.logger.warn({ app: app.name, family: session.familyId }, 'refresh token reused: family revoked');
  // Its own entry, whichever endpoint the token came through: a likely theft, for the console's home page.
  const username = session.user.username;
  await recordAudit(
    {
      actor: username,
      action: REFRESH_REUSE_ACTION,
      outcome: 'failure',
      app: app.name,
      target: username,
      detail: { session: session.familyId },
    },
    deps,
  );
  throw new AppError(
    'refresh_token_reused',
    'This refresh token was already used; every session of its family is revoked.',
  );
}

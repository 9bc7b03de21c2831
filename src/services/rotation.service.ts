import type { ClientInfo } from '../db/session.repository';
import type { Deps } from './deps';
import {
  accessClaims,
  amrClaims,
  invalidToken,
  newRefreshToken,
  readRefreshToken,
  requireApplication,
  signAccessToken,
} from './token.service';

/**
 * Rotating refresh (docs/api.md, rotation): the token is spent and a successor of the same family is
 * returned, in one step that a concurrent revocation cannot slip through (renewSession). A spent
 * token presented again within REFRESH_REUSE_GRACE (concurrent tabs, retries) gets a successor
 * too; later, it is taken as stolen and its whole family is revoked.
 */
export async function rotateRefreshToken(appName: string, refreshToken: string, client: ClientInfo, deps: Deps) {
  const app = await requireApplication(appName, deps);
  const session = await readRefreshToken(app, refreshToken, deps);
  const { user } = session;
  const renew = async (spend: boolean) => {
    const next = newRefreshToken(app, user, app.refreshTtlMax, deps, client, session.familyId, session.amr);
    const outcome = await deps.sessions.renew({ id: session.id, userId: user.id }, next.session, deps.clock.now(), {
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
    token: signAccessToken(
      app,
      accessClaims(app, user, now, app.accessTtl, deps.config.issuer, amrClaims(session.amr)),
      deps,
    ),
    refresh_token: renewal.token,
    expires_in: app.accessTtl,
  };
}

import type { ClientInfo } from '../db/session.repository';
import type { Deps } from './deps';
import { recordLastUse } from './last-use.service';
import { secondFactorStep, type MfaChallenge } from './mfa-codes.service';
import { authenticate, recordLogin } from './login.service';
import {
  accessClaims,
  amrClaims,
  assertTtl,
  createRefreshToken,
  readRefreshToken,
  requireApplication,
  signAccessToken,
} from './token.service';

/**
 * Quid's `POST /token/refresh`: a refresh token for valid credentials. An unknown application
 * answers like an unknown user, after the same bcrypt work, and the lifetime is judged only
 * after the credentials, so that no answer tells which applications exist or their maxima.
 */
export async function refreshTokenForCredentials(
  namespace: string,
  username: string,
  password: string,
  ttl: number | undefined,
  client: ClientInfo,
  deps: Deps,
): Promise<{ token: string } | MfaChallenge> {
  const user = await authenticate(namespace, username, password, deps);
  const app = user.application;
  assertTtl(ttl ?? app.refreshTtlMax, app.refreshTtlMax, 'refresh');
  // With a second factor, /:app/login/mfa completes it and answers this `{token}`.
  const challenge = await secondFactorStep(user, 'refresh', ttl ?? null, deps);
  if (challenge) return challenge;
  await recordLogin(user, deps);
  return { token: await createRefreshToken(app, user, ttl ?? app.refreshTtlMax, deps, client) };
}

/**
 * Quid's `POST /token/access`: an access token for the holder of a refresh token. The lifetime
 * is judged after the token, so that no answer tells which applications exist or their maxima.
 */
export async function accessToken(namespace: string, refreshToken: string, ttl: number | undefined, deps: Deps) {
  const app = await requireApplication(namespace, deps);
  const session = await readRefreshToken(app, refreshToken, deps);
  const lifetime = ttl ?? app.accessTtl;
  assertTtl(lifetime, app.accessTtlMax, 'access');
  await recordLastUse(session, deps);
  const claims = accessClaims(
    app,
    session.user,
    deps.clock.now(),
    lifetime,
    deps.config.issuer,
    amrClaims(session.amr),
  );
  return { token: signAccessToken(app, claims, deps) };
}

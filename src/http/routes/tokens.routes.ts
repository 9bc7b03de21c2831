import { rotatedSchema, tokenSchema } from '../../schemas/responses.schema';
import { quidAccessSchema, quidRefreshSchema, rotateRefreshSchema, ttlParamsSchema } from '../../schemas/token.schema';
import { isChallenge } from '../../services/mfa.service';
import { tokenOrChallengeSchema } from '../../schemas/mfa.schema';
import { accessToken, refreshTokenForCredentials } from '../../services/quid-tokens.service';
import { rotateRefreshToken } from '../../services/rotation.service';
import { assertOriginAllowed } from '../middleware/cors';
import { limitAttempt } from '../middleware/login-limit';
import { defineRoute } from '../route';

/** Quid's token endpoints, and the rotating refresh of an application's users. */
export const tokenRoutes = [
  defineRoute({
    method: 'post',
    path: '/token/refresh{/:ttl}',
    operationId: 'issueRefreshToken',
    errors: ['origin_not_allowed', 'invalid_credentials', 'ttl_exceeds_max', 'rate_limited', 'overloaded'],
    summary: 'A refresh token for credentials (ttl ≤ refresh_ttl_max; brute-force limited)',
    tag: 'public',
    noStore: true,
    audit: 'token.refresh',
    cors: 'token',
    anyContentType: true,
    params: ttlParamsSchema,
    body: quidRefreshSchema,
    response: tokenOrChallengeSchema,
    async handle({ params: { ttl }, body: { namespace, username, password }, req, client, deps, action }) {
      await assertOriginAllowed(req, namespace, deps);
      const attempt = { action, app: namespace, username, checksPassword: true };
      const result = await limitAttempt(
        deps,
        client,
        attempt,
        () => refreshTokenForCredentials(namespace, username, password, ttl, client, deps),
        isChallenge,
      );
      if (!isChallenge(result)) deps.metrics.tokensIssued.inc({ kind: 'refresh' });
      return result;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/token/access{/:ttl}',
    operationId: 'issueAccessToken',
    errors: ['origin_not_allowed', 'invalid_token', 'refresh_token_reused', 'ttl_exceeds_max'],
    summary: 'An access token for a refresh token (ttl ≤ access_ttl_max)',
    tag: 'public',
    noStore: true,
    cors: 'token',
    hot: true,
    anyContentType: true,
    params: ttlParamsSchema,
    body: quidAccessSchema,
    response: tokenSchema,
    async handle({ params: { ttl }, body: { namespace, refresh_token }, req, deps }) {
      await assertOriginAllowed(req, namespace, deps);
      const result = await accessToken(namespace, refresh_token, ttl, deps);
      deps.metrics.tokensIssued.inc({ kind: 'access' });
      return result;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/:app/refresh',
    operationId: 'rotateRefreshToken',
    errors: ['invalid_token', 'refresh_token_reused', 'ttl_exceeds_max', 'rate_limited'],
    summary: 'Rotate a refresh token (reuse after the grace revokes its family)',
    tag: 'public',
    noStore: true,
    audit: 'refresh',
    cors: 'application',
    hot: true,
    body: rotateRefreshSchema,
    response: rotatedSchema,
    async handle({ params, body, client, deps, action }) {
      // No username before the token is verified: only the per-IP ceiling applies here.
      const attempt = { action, app: params.app, auditSuccess: false };
      const result = await limitAttempt(deps, client, attempt, () =>
        rotateRefreshToken(params.app, body.refresh_token, client, deps),
      );
      deps.metrics.tokensIssued.inc({ kind: 'access' });
      deps.metrics.tokensIssued.inc({ kind: 'refresh' });
      return result;
    },
  }),
];

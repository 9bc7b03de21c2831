import { AppError } from '../../errors';
import { appNameSchema } from '../../schemas/common.schema';
import { loginResultSchema } from '../../schemas/responses.schema';
import { changePasswordSchema, loginParamsSchema, loginSchema } from '../../schemas/user.schema';
import { changePassword } from '../../services/change-password.service';
import { login } from '../../services/login.service';
import { isChallenge } from '../../services/mfa.service';
import { loginOrChallengeSchema } from '../../schemas/mfa.schema';
import { bearerToken } from '../middleware/admin-auth';
import { limitAttempt } from '../middleware/login-limit';
import { defineRoute } from '../route';

/** The JaWTh endpoints an application's users call: log in, change the password. */
export const loginRoutes = [
  defineRoute({
    method: 'post',
    path: '/:app/login',
    operationId: 'login',
    errors: ['invalid_credentials', 'rate_limited', 'overloaded'],
    summary: 'Log in (brute-force limited: 429 rate_limited with Retry-After)',
    tag: 'public',
    noStore: true,
    audit: 'login',
    cors: 'application',
    params: loginParamsSchema,
    body: loginSchema,
    response: loginOrChallengeSchema,
    async handle({ params: { app }, body: { username, password }, client, deps, action }) {
      const attempt = { action, app, username, checksPassword: true };
      const result = await limitAttempt(
        deps,
        client,
        attempt,
        () => login(app, username, password, client, deps),
        isChallenge,
      );
      if (isChallenge(result)) return result;
      deps.metrics.tokensIssued.inc({ kind: 'access' });
      deps.metrics.tokensIssued.inc({ kind: 'refresh' });
      return result;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/:app/:username/change_password',
    operationId: 'changePassword',
    credential: 'userToken',
    errors: ['unauthorized', 'invalid_credentials', 'weak_password', 'rate_limited', 'overloaded'],
    summary: 'Change a password with the token of the latest login',
    tag: 'public',
    noStore: true,
    cors: 'application',
    body: changePasswordSchema,
    response: loginResultSchema,
    async handle({ params, body, req, deps, client }) {
      const token = bearerToken(req.headers as { auth?: string; authorization?: string });
      if (!token) throw new AppError('unauthorized', 'The token of the latest login is required.');
      // No application can have another name: refused before any query, like a token of no user.
      if (!appNameSchema.safeParse(params.app).success) {
        throw new AppError('unauthorized', 'The token is not valid for this user.');
      }
      return changePassword(params.app, params.username, token, body, client, deps);
    },
  }),
];

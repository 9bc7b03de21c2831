import { AppError } from '../../errors';
import {
  mfaCompletedSchema,
  mfaCompleteSchema,
  mfaConfirmSchema,
  mfaEnrolmentSchema,
  recoveryCodesSchema,
} from '../../schemas/mfa.schema';
import { loginParamsSchema } from '../../schemas/user.schema';
import { appNameSchema } from '../../schemas/common.schema';
import { completeMfaLogin, confirm, enrol, openMfaLogin } from '../../services/mfa.service';
import { bearerToken } from '../middleware/admin-auth';
import { limitAttempt } from '../middleware/login-limit';
import { defineRoute } from '../route';
import type { Request } from 'express';

/** The bearer of an enrolment: a login token of the user, or the enrolment token of a `required` login. */
function enrolmentBearer(req: Request, app: string): string {
  const token = bearerToken(req.headers as { auth?: string; authorization?: string });
  if (!token) throw new AppError('unauthorized', 'A login token or an enrolment token is required.');
  // No application can have another name: refused before any query, like a token of no user.
  if (!appNameSchema.safeParse(app).success)
    throw new AppError('unauthorized', 'The token is not valid for this user.');
  return token;
}

/** A user's second factor (TOTP): enrolment, and the code that completes a login. */
export const mfaRoutes = [
  defineRoute({
    method: 'post',
    path: '/:app/login/mfa',
    operationId: 'loginWithCode',
    errors: ['invalid_token', 'invalid_code', 'rate_limited'],
    summary: 'Complete a login with a TOTP or recovery code (brute-force limited like passwords)',
    tag: 'public',
    noStore: true,
    audit: 'login.mfa',
    cors: 'application',
    params: loginParamsSchema,
    body: mfaCompleteSchema,
    response: mfaCompletedSchema,
    async handle({ params: { app }, body: { mfa_token, code }, client, deps, action }) {
      const opened = await openMfaLogin(app, mfa_token, deps);
      const attempt = { action, app, username: opened.user.username };
      const result = await limitAttempt(deps, client, attempt, () => completeMfaLogin(opened, code, client, deps));
      if ('refresh_token' in result) deps.metrics.tokensIssued.inc({ kind: 'access' });
      deps.metrics.tokensIssued.inc({ kind: 'refresh' });
      return result;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/:app/:username/mfa/enrol',
    operationId: 'enrolMfa',
    credential: 'userToken',
    errors: ['unauthorized', 'mfa_off', 'second_factor_active', 'enrolment_in_progress', 'rate_limited'],
    summary: 'Start enrolling a TOTP factor (with a login token or an enrolment token; brute-force limited)',
    tag: 'public',
    noStore: true,
    audit: 'mfa.enrol',
    cors: 'application',
    response: mfaEnrolmentSchema,
    async handle({ params, req, deps, action, client }) {
      const bearer = enrolmentBearer(req, params.app);
      const attempt = { action, app: params.app, username: params.username };
      return limitAttempt(deps, client, attempt, () => enrol(params.app, params.username, bearer, deps));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/:app/:username/mfa/confirm',
    operationId: 'confirmMfa',
    credential: 'userToken',
    errors: ['unauthorized', 'mfa_off', 'invalid_code', 'no_enrolment_pending', 'second_factor_active', 'rate_limited'],
    summary: 'Activate the factor with a first code; answers the recovery codes, once',
    tag: 'public',
    noStore: true,
    audit: 'mfa.confirm',
    cors: 'application',
    body: mfaConfirmSchema,
    response: recoveryCodesSchema,
    async handle({ params, body, req, deps, action, client }) {
      const bearer = enrolmentBearer(req, params.app);
      const attempt = { action, app: params.app, username: params.username };
      return limitAttempt(deps, client, attempt, () => confirm(params.app, params.username, bearer, body.code, deps));
    },
  }),
];

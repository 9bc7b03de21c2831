import type { Response } from 'express';
import { accountSchema, statusSchema } from '../../schemas/responses.schema';
import { z } from 'zod';
import { confirmSchema, recoverSchema, resetSchema, signupSchema } from '../../schemas/user.schema';
import { requestRecovery, recoveryApplication, resetPassword } from '../../services/recovery.service';
import { confirmSignup, signup, signupApplication } from '../../services/signup.service';
import type { AppDeps } from '../app-deps';
import { limitAttempt } from '../middleware/login-limit';
import { defineRoute } from '../route';

/** Any text: a name no application can have answers 404 like an unknown one (in the services). */
const appParams = z.object({ app: z.string() });

/** Starts `work` once the answer is out: its time and outcome never show in the answer. */
function afterAnswer(res: Response, deps: AppDeps, name: string, work: () => Promise<void>): void {
  res.once('close', () => deps.background.run(name, work));
}

/**
 * Sign-up, e-mail confirmation and password recovery (docs/api.md, Sign-up, confirmation and
 * recovery). An unknown application and a setting `off` are both 404. Each request takes a place
 * on the caller's IP counter of the brute-force limiter, whatever it answers (`countEveryAnswer`).
 */
export const signupRoutes = [
  defineRoute({
    method: 'post',
    path: '/:app/signup',
    operationId: 'signup',
    errors: ['signup_disabled', 'username_taken', 'email_taken', 'weak_password', 'rate_limited', 'overloaded'],
    summary: 'Sign up (404 when sign-up is off; rate-limited per IP like a login, each sign-up counting)',
    tag: 'public',
    noStore: true,
    audit: 'signup',
    cors: 'application',
    params: appParams,
    body: signupSchema,
    response: accountSchema,
    status: 201,
    async handle({ params, body, client, res, deps, action }) {
      const app = await signupApplication(params.app, deps);
      const attempt = { action, app: app.name, countEveryAnswer: true, checksPassword: true };
      const { mail, ...account } = await limitAttempt(deps, client, attempt, () => signup(app, body, deps));
      if (mail) afterAnswer(res, deps, 'signup mail', mail);
      return account;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/:app/confirm',
    operationId: 'confirmSignup',
    errors: ['signup_disabled', 'invalid_token', 'rate_limited'],
    summary: "Enable an account signed up in `confirm` mode with its mail's one-use token",
    tag: 'public',
    noStore: true,
    audit: 'signup.confirm',
    cors: 'application',
    params: appParams,
    body: confirmSchema,
    response: accountSchema,
    async handle({ params, body, client, deps, action }) {
      const attempt = { action, app: params.app };
      return limitAttempt(deps, client, attempt, () => confirmSignup(params.app, body.token, deps));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/:app/recover',
    operationId: 'recoverPassword',
    errors: ['recovery_disabled', 'rate_limited'],
    summary: 'Ask for a password reset by username or e-mail: always 202, the same for unknown users',
    tag: 'public',
    noStore: true,
    audit: 'recovery.request',
    cors: 'application',
    params: appParams,
    body: recoverSchema,
    response: statusSchema,
    status: 202,
    async handle({ params, body, client, res, deps, action }) {
      const app = await recoveryApplication(params.app, deps);
      // The username is not audited: it may be anyone's, and the answer says nothing of it either.
      await limitAttempt(deps, client, { action, app: app.name, countEveryAnswer: true }, () => Promise.resolve());
      afterAnswer(res, deps, 'recovery mail', () => requestRecovery(app, body, deps));
      return { status: 'accepted' };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/:app/reset',
    operationId: 'resetPassword',
    errors: ['recovery_disabled', 'invalid_token', 'weak_password', 'rate_limited', 'overloaded'],
    summary: "Set a new password with a recovery mail's one-use token; ends every session of the user",
    tag: 'public',
    noStore: true,
    audit: 'recovery.reset',
    cors: 'application',
    params: appParams,
    body: resetSchema,
    response: accountSchema,
    async handle({ params, body, client, deps, action }) {
      const attempt = { action, app: params.app, checksPassword: true };
      return limitAttempt(deps, client, attempt, () => resetPassword(params.app, body.token, body.password, deps));
    },
  }),
];

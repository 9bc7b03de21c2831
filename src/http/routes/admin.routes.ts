import {
  adminAccountSchema,
  adminLoginSchema,
  adminSetupResultSchema,
  adminSetupSchema,
} from '../../schemas/admin.schema';
import { z } from 'zod';
import { adminSessionSchema } from '../../schemas/responses.schema';
import {
  mfaChallengeSchema,
  mfaCompleteSchema,
  mfaConfirmSchema,
  mfaEnrolmentSchema,
  recoveryCodesSchema,
} from '../../schemas/mfa.schema';
import {
  adminFactorState,
  completeAdminMfaLogin,
  confirmAdmin,
  enrolAdmin,
  openAdminMfaLogin,
  removeAdminFactor,
  sessionAccount,
} from '../../services/admin-mfa.service';
import { isChallenge } from '../../services/mfa.service';
import { authenticateSessionToken } from '../../services/admin-auth.service';
import { adminLogin, revokeSession } from '../../services/admin-session.service';
import { completeSetup } from '../../services/admin-setup.service';
import { requireCredential } from '../middleware/admin-auth';
import { limitAttempt } from '../middleware/login-limit';
import { consoleActor } from '../../services/principal';
import { defineRoute } from '../route';

/** Console sessions of admin accounts, and the first one's setup. */
export const adminRoutes = [
  defineRoute({
    method: 'post',
    path: '/admin/login',
    operationId: 'adminLogin',
    errors: ['invalid_credentials', 'rate_limited', 'overloaded'],
    summary: 'Log an admin in: a console session token (brute-force limited)',
    tag: 'admin',
    noStore: true,
    audit: 'admin.login',
    body: adminLoginSchema,
    response: z.union([adminSessionSchema, mfaChallengeSchema]),
    async handle({ body: { username, password }, client, deps, action }) {
      // `admin` is a reserved application name: these counters cannot collide with an application's.
      const attempt = { action, app: 'admin', username, actor: consoleActor(username), checksPassword: true };
      const result = await limitAttempt(deps, client, attempt, () => adminLogin(username, password, deps), isChallenge);
      if (!isChallenge(result)) deps.metrics.tokensIssued.inc({ kind: 'admin_session' });
      return result;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/login/mfa',
    operationId: 'adminLoginWithCode',
    errors: ['invalid_token', 'invalid_code', 'rate_limited'],
    summary: "Complete an admin's login with a TOTP or recovery code: a console session token",
    tag: 'admin',
    noStore: true,
    audit: 'admin.login_mfa',
    body: mfaCompleteSchema,
    response: adminSessionSchema,
    async handle({ body: { mfa_token, code }, client, deps, action }) {
      const opened = await openAdminMfaLogin(mfa_token, deps);
      const { username } = opened.account;
      const attempt = { action, app: 'admin', username, actor: consoleActor(username) };
      const result = await limitAttempt(deps, client, attempt, () => completeAdminMfaLogin(opened, code, deps));
      deps.metrics.tokensIssued.inc({ kind: 'admin_session' });
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/admin/account',
    operationId: 'getAdminAccount',
    errors: ['console_session_required'],
    summary: 'The account of this console session, and whether its second factor is active',
    tag: 'admin',
    auth: 'admin',
    response: adminAccountSchema,
    async handle({ principal, deps }) {
      return adminFactorState(sessionAccount(principal), deps);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/account/mfa/enrol',
    operationId: 'enrolAdminMfa',
    errors: ['console_session_required', 'second_factor_active', 'enrolment_in_progress'],
    summary: 'Start enrolling a TOTP factor for the account of this console session',
    tag: 'admin',
    auth: 'admin',
    audit: 'admin.mfa_enrol',
    noStore: true,
    response: mfaEnrolmentSchema,
    async handle({ principal, deps }) {
      return enrolAdmin(sessionAccount(principal), deps);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/account/mfa/confirm',
    operationId: 'confirmAdminMfa',
    errors: ['console_session_required', 'invalid_code', 'no_enrolment_pending', 'second_factor_active'],
    summary: "Activate the console account's factor with a first code; answers the recovery codes, once",
    tag: 'admin',
    auth: 'admin',
    audit: 'admin.mfa_confirm',
    noStore: true,
    body: mfaConfirmSchema,
    response: recoveryCodesSchema,
    async handle({ body, principal, deps }) {
      return confirmAdmin(sessionAccount(principal), body.code, deps);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/admin/accounts/:username/mfa',
    operationId: 'resetAdminMfa',
    errors: ['admin_account_not_found', 'second_factor_not_found'],
    summary: "Remove an admin account's second factor (a lost phone, a rotated SECRET_KEY)",
    tag: 'admin',
    auth: 'admin',
    audit: 'admin.remove_mfa',
    params: z.object({ username: z.string() }),
    async handle({ params, deps }) {
      await removeAdminFactor(params.username, deps);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/setup',
    operationId: 'setupAdmin',
    errors: ['unauthorized', 'admin_exists', 'weak_password', 'rate_limited', 'overloaded'],
    summary:
      'First run: create the first admin account with the one-time setup link (401 wrong/used/expired, 409 once one exists)',
    tag: 'admin',
    noStore: true,
    audit: 'admin.setup',
    body: adminSetupSchema,
    response: adminSetupResultSchema,
    status: 201,
    async handle({ body, client, deps, action }) {
      // A wrong token counts like a wrong password: the same limits stop guessing.
      const attempt = {
        action,
        app: 'admin',
        username: body.username,
        actor: `admin:${body.username}`,
        checksPassword: true,
      };
      await limitAttempt(deps, client, attempt, () => completeSetup(body, deps));
      return { username: body.username };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/logout',
    operationId: 'adminLogout',
    credential: 'adminSession',
    errors: ['unauthorized'],
    summary: 'End the console session',
    tag: 'admin',
    async handle({ req, deps }) {
      // A console session comes as Bearer only; authenticateSessionToken refuses any other token.
      const credential = requireCredential({ authorization: req.headers.authorization });
      const now = deps.clock.now();
      await revokeSession(await authenticateSessionToken(credential.token, now, deps.config, deps), now);
    },
  }),
];

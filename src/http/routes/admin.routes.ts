import { adminLoginSchema, adminSetupResultSchema, adminSetupSchema } from '../../schemas/admin.schema';
import { adminSessionSchema } from '../../schemas/responses.schema';
import { authenticateSessionToken } from '../../services/admin-auth.service';
import { adminLogin, revokeSession } from '../../services/admin-session.service';
import { completeSetup } from '../../services/admin-setup.service';
import { requireCredential } from '../middleware/admin-auth';
import { limitAttempt } from '../middleware/login-limit';
import { defineRoute } from '../route';

/** Console sessions of admin accounts, and the first one's setup. */
export const adminRoutes = [
  defineRoute({
    method: 'post',
    path: '/admin/login',
    summary: 'Log an admin in: a console session token (brute-force limited)',
    tag: 'admin',
    noStore: true,
    audit: 'admin.login',
    body: adminLoginSchema,
    response: adminSessionSchema,
    async handle({ body: { username, password }, req, deps, action }) {
      // `admin` is a reserved application name: these counters cannot collide with an application's.
      const attempt = { action, app: 'admin', username, actor: `admin:${username}` };
      const result = await limitAttempt(deps, req, attempt, () => adminLogin(username, password, deps));
      deps.metrics.tokensIssued.inc({ kind: 'admin_session' });
      return result;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/setup',
    summary:
      'First run: create the first admin account with the one-time setup link (401 wrong/used/expired, 409 once one exists)',
    tag: 'admin',
    noStore: true,
    audit: 'admin.setup',
    body: adminSetupSchema,
    response: adminSetupResultSchema,
    status: 201,
    async handle({ body, req, deps, action }) {
      // A wrong token counts like a wrong password: the same limits stop guessing.
      const attempt = { action, app: 'admin', username: body.username, actor: `admin:${body.username}` };
      await limitAttempt(deps, req, attempt, () => completeSetup(body, deps));
      return { username: body.username };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/logout',
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

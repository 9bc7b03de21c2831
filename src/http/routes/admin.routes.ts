import { Router } from 'express';
import { adminLoginSchema, adminSetupSchema } from '../../schemas/admin.schema';
import { authenticateSessionToken } from '../../services/admin-auth.service';
import { adminLogin, revokeSession } from '../../services/admin-session.service';
import { completeSetup } from '../../services/admin-setup.service';
import { requireCredential } from '../middleware/admin-auth';
import type { AppDeps } from '../app-deps';
import { limitAttempt } from '../middleware/login-limit';
import { parse } from '../validate';
import { noStore } from '../respond';

/** Contract §3.1, second way: console sessions of admin accounts; §3.7: the first one's setup. */
export function adminRouter(deps: AppDeps): Router {
  const router = Router({ caseSensitive: true });

  router.post('/login', async (req, res) => {
    noStore(res);
    const { username, password } = parse(adminLoginSchema, req.body);
    // `admin` is a reserved application name: these counters cannot collide with an application's.
    const attempt = { action: 'admin.login', app: 'admin', username };
    const result = await limitAttempt(deps, req, attempt, () => adminLogin(username, password, deps));
    deps.metrics.tokensIssued.inc({ kind: 'admin_session' });
    res.json(result);
  });

  router.post('/setup', async (req, res) => {
    noStore(res);
    const input = parse(adminSetupSchema, req.body);
    // A wrong token counts like a wrong password: the same limits stop guessing.
    const attempt = { action: 'admin.setup', app: 'admin', username: input.username };
    await limitAttempt(deps, req, attempt, () => completeSetup(input, deps));
    res.status(201).json({ username: input.username });
  });

  router.post('/logout', async (req, res) => {
    // A console session comes as Bearer only; authenticateSessionToken refuses any other token.
    const credential = requireCredential({ authorization: req.headers.authorization });
    const now = deps.clock.now();
    await revokeSession(await authenticateSessionToken(credential.token, now, deps.config, deps), now);
    res.status(204).end();
  });

  return router;
}

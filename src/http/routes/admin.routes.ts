import { Router } from 'express';
import { adminLoginSchema } from '../../schemas/admin.schema';
import { authenticateSessionToken } from '../../services/admin-auth.service';
import { adminLogin, revokeSession } from '../../services/admin-session.service';
import type { Deps } from '../../services/deps';
import { AppError } from '../../errors';
import { adminCredential } from '../middleware/admin-auth';
import { parse } from '../validate';

/** Contract §3.1, second way: console sessions of admin accounts. */
export function adminRouter(deps: Deps): Router {
  const router = Router();

  router.post('/login', async (req, res) => {
    const { username, password } = parse(adminLoginSchema, req.body);
    res.json(await adminLogin(username, password, deps));
  });

  router.post('/logout', async (req, res) => {
    const credential = adminCredential(req.headers as { authorization?: string });
    if (credential?.scheme !== 'bearer') throw new AppError('unauthorized', 'A valid admin credential is required.');
    const now = deps.clock.now();
    await revokeSession(await authenticateSessionToken(credential.token, now, deps.config), now);
    res.status(204).end();
  });

  return router;
}

import { Router } from 'express';
import { appNameSchema } from '../../schemas/common.schema';
import { changePasswordSchema, loginParamsSchema, loginSchema } from '../../schemas/user.schema';
import { changePassword } from '../../services/change-password.service';
import { login } from '../../services/login.service';
import { AppError } from '../../errors';
import type { AppDeps } from '../app-deps';
import { clientOf } from '../client';
import { bearerToken } from '../middleware/admin-auth';
import { limitAttempt } from '../middleware/login-limit';
import { parse } from '../validate';
import { noStore } from '../respond';

/** Contract §4.1 and §4.2: the JaWTh endpoints an application's users call. */
export function loginRouter(deps: AppDeps): Router {
  const router = Router({ caseSensitive: true });

  router.post('/:app/login', async (req, res) => {
    noStore(res);
    const { app } = parse(loginParamsSchema, req.params);
    const { username, password } = parse(loginSchema, req.body);
    const attempt = { action: 'login', app, username };
    const result = await limitAttempt(deps, req, attempt, () => login(app, username, password, clientOf(req), deps));
    deps.metrics.tokensIssued.inc({ kind: 'access' });
    deps.metrics.tokensIssued.inc({ kind: 'refresh' });
    res.json(result);
  });

  router.post('/:app/:username/change_password', async (req, res) => {
    noStore(res);
    const token = bearerToken(req.headers as { auth?: string; authorization?: string });
    if (!token) throw new AppError('unauthorized', 'The token of the latest login is required.');
    // No application can have another name: refused before any query, like a token of no user.
    if (!appNameSchema.safeParse(req.params.app).success) {
      throw new AppError('unauthorized', 'The token is not valid for this user.');
    }
    const input = parse(changePasswordSchema, req.body);
    res.json(await changePassword(req.params.app, req.params.username, token, input, clientOf(req), deps));
  });

  return router;
}

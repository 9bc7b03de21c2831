import { Router } from 'express';
import { changePasswordSchema, loginSchema } from '../../schemas/user.schema';
import type { Deps } from '../../services/deps';
import { changePassword, login } from '../../services/login.service';
import { AppError } from '../../errors';
import { bearerToken } from '../middleware/admin-auth';
import { parse } from '../validate';

/** Contract §4.1 and §4.2: the JaWTh endpoints an application's users call. */
export function loginRouter(deps: Deps): Router {
  const router = Router();

  router.post('/:app/login', async (req, res) => {
    const { username, password } = parse(loginSchema, req.body);
    res.json(await login(req.params.app, username, password, deps));
  });

  router.post('/:app/:username/change_password', async (req, res) => {
    const token = bearerToken(req.headers as { auth?: string; authorization?: string });
    if (!token) throw new AppError('unauthorized', 'The token of the latest login is required.');
    const input = parse(changePasswordSchema, req.body);
    res.json(await changePassword(req.params.app, req.params.username, token, input, deps));
  });

  return router;
}

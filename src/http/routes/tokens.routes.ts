import express, { Router } from 'express';
import { quidAccessSchema, quidRefreshSchema, rotateRefreshSchema, ttlParamsSchema } from '../../schemas/token.schema';
import type { Deps } from '../../services/deps';
import { quidRefreshToken } from '../../services/login.service';
import { accessToken, rotateRefreshToken } from '../../services/refresh.service';
import { parse } from '../validate';

/** Contract §4.3 (Quid's token endpoints) and §4.4 (rotating refresh). */
export function tokensRouter(deps: Deps): Router {
  const router = Router();
  // quidjs posts JSON as text/plain or with no content type: read any body as JSON here.
  const anyJson = express.json({ limit: deps.config.bodyLimit, type: () => true });

  router.post(['/token/refresh', '/token/refresh/:ttl'], anyJson, async (req, res) => {
    const { ttl } = parse(ttlParamsSchema, req.params);
    const { namespace, username, password } = parse(quidRefreshSchema, req.body);
    res.json(await quidRefreshToken(namespace, username, password, ttl, deps));
  });

  router.post(['/token/access', '/token/access/:ttl'], anyJson, async (req, res) => {
    const { ttl } = parse(ttlParamsSchema, req.params);
    const { namespace, refresh_token } = parse(quidAccessSchema, req.body);
    res.json(await accessToken(namespace, refresh_token, ttl, deps));
  });

  router.post('/:app/refresh', async (req, res) => {
    const { refresh_token } = parse(rotateRefreshSchema, req.body);
    res.json(await rotateRefreshToken(req.params.app, refresh_token, deps));
  });

  return router;
}

import express, { Router } from 'express';
import { quidAccessSchema, quidRefreshSchema, rotateRefreshSchema, ttlParamsSchema } from '../../schemas/token.schema';
import { accessToken, refreshTokenForCredentials } from '../../services/quid-tokens.service';
import { rotateRefreshToken } from '../../services/rotation.service';
import type { AppDeps } from '../app-deps';
import { clientOf } from '../client';
import { assertOriginAllowed } from '../middleware/cors';
import { limitAttempt } from '../middleware/login-limit';
import { parse } from '../validate';
import { noStore } from '../respond';

/** Contract §4.3 (Quid's token endpoints) and §4.4 (rotating refresh). */
export function tokensRouter(deps: AppDeps): Router {
  const router = Router();
  // quidjs posts JSON as text/plain or with no content type: read any body as JSON here.
  const anyJson = express.json({ limit: deps.config.bodyLimit, type: () => true });

  router.post(['/token/refresh', '/token/refresh/:ttl'], anyJson, async (req, res) => {
    noStore(res);
    const { ttl } = parse(ttlParamsSchema, req.params);
    const { namespace, username, password } = parse(quidRefreshSchema, req.body);
    await assertOriginAllowed(req, namespace, deps);
    const attempt = { action: 'token.refresh', app: namespace, username };
    const result = await limitAttempt(deps, req, attempt, () =>
      refreshTokenForCredentials(namespace, username, password, ttl, clientOf(req), deps),
    );
    deps.metrics.tokensIssued.inc({ kind: 'refresh' });
    res.json(result);
  });

  router.post(['/token/access', '/token/access/:ttl'], anyJson, async (req, res) => {
    noStore(res);
    const { ttl } = parse(ttlParamsSchema, req.params);
    const { namespace, refresh_token } = parse(quidAccessSchema, req.body);
    await assertOriginAllowed(req, namespace, deps);
    const result = await accessToken(namespace, refresh_token, ttl, deps);
    deps.metrics.tokensIssued.inc({ kind: 'access' });
    res.json(result);
  });

  router.post('/:app/refresh', async (req, res) => {
    noStore(res);
    const { refresh_token } = parse(rotateRefreshSchema, req.body);
    // No username before the token is verified: only the per-IP ceiling applies here.
    const attempt = { action: 'refresh', app: req.params.app };
    const result = await limitAttempt(deps, req, attempt, () =>
      rotateRefreshToken(req.params.app, refresh_token, clientOf(req), deps),
    );
    deps.metrics.tokensIssued.inc({ kind: 'access' });
    deps.metrics.tokensIssued.inc({ kind: 'refresh' });
    res.json(result);
  });

  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import { appNameSchema, paginationSchema } from '../../schemas/common.schema';
import { createApplicationSchema, rotateSecretSchema, updateApplicationSchema } from '../../schemas/application.schema';
import * as applications from '../../services/application.service';
import type { Deps } from '../../services/deps';
import { adminAuth } from '../middleware/admin-auth';
import { sendList } from '../respond';
import { checkParam, parse } from '../validate';

const showSchema = z.object({ include_secret: z.enum(['true', 'false']).optional() });

/** Contract §3.2. Secrets leave only on create, on rotation, or when asked for by name. */
export function applicationsRouter(deps: Deps): Router {
  const router = Router({ caseSensitive: true });
  router.use(adminAuth(deps));
  router.param('name', checkParam('name', appNameSchema));

  router.get('/', async (req, res) => {
    const { limit, offset } = parse(paginationSchema, req.query);
    const { rows, count } = await applications.listApplications(limit, offset, deps);
    sendList(
      res,
      rows.map((app) => applications.serializeApplication(app)),
      count,
    );
  });

  router.post('/', async (_req, res) => {
    const app = await applications.createApplication(parse(createApplicationSchema, res.locals.data), deps);
    res.status(201).json(applications.serializeApplication(app, { includeSecret: true }));
  });

  router.get('/:name', async (req, res) => {
    const { include_secret } = parse(showSchema, req.query);
    const app = await applications.findApplication(req.params.name, deps);
    res.json(applications.serializeApplication(app, { includeSecret: include_secret === 'true' }));
  });

  router.patch('/:name', async (req, res) => {
    const app = await applications.updateApplication(
      req.params.name,
      parse(updateApplicationSchema, res.locals.data),
      deps,
    );
    res.json(applications.serializeApplication(app));
  });

  router.post('/:name/rotate_secret', async (req, res) => {
    const app = await applications.rotateSecret(req.params.name, parse(rotateSecretSchema, res.locals.data), deps);
    res.json(applications.serializeApplication(app, { includeSecret: true }));
  });

  router.delete('/:name', async (req, res) => {
    await applications.deleteApplication(req.params.name, deps);
    res.status(204).end();
  });

  return router;
}

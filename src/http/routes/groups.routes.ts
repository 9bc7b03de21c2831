import { Router } from 'express';
import { appNameSchema, paginationSchema } from '../../schemas/common.schema';
import { createGroupSchema } from '../../schemas/group.schema';
import { findApplication } from '../../services/application.service';
import type { Deps } from '../../services/deps';
import * as groups from '../../services/group.service';
import { serializeUser } from '../../services/user.service';
import type { Application } from '../../db/models';
import { adminAuth } from '../middleware/admin-auth';
import { sendList } from '../respond';
import { checkParam, parse } from '../validate';

/** Contract §3.5: groups of one application and global orgs. Membership is set on the users. */
export function groupsRouter(deps: Deps): Router {
  const router = Router({ caseSensitive: true });
  router.param('app', checkParam('app', appNameSchema));
  router.use(['/orgs', '/:app/groups'], adminAuth(deps));

  router.get('/orgs', async (req, res) => {
    const { limit, offset } = parse(paginationSchema, req.query);
    const { rows, count } = await groups.listOrgs(limit, offset, deps);
    sendList(res, rows.map(groups.serializeOrg), count);
  });

  router.post('/orgs', async (_req, res) => {
    const { name } = parse(createGroupSchema, res.locals.data);
    res.status(201).json(groups.serializeOrg(await groups.createOrg(name, deps)));
  });

  router.delete('/orgs/:org', async (req, res) => {
    await groups.deleteMembership(await groups.findOrg(req.params.org, deps));
    res.status(204).end();
  });

  router.get('/orgs/:org/users', async (req, res) => {
    const { limit, offset } = parse(paginationSchema, req.query);
    const { rows, count } = await groups.listMembers(await groups.findOrg(req.params.org, deps), limit, offset, deps);
    sendList(
      res,
      rows.map((u) => serializeUser(u, (u.application as Application).name)),
      count,
    );
  });

  router.get('/:app/groups', async (req, res) => {
    const { limit, offset } = parse(paginationSchema, req.query);
    const app = await findApplication(req.params.app, deps);
    const { rows, count } = await groups.listGroups(app, limit, offset, deps);
    sendList(
      res,
      rows.map((g) => groups.serializeGroup(g, app.name)),
      count,
    );
  });

  router.post('/:app/groups', async (req, res) => {
    const { name } = parse(createGroupSchema, res.locals.data);
    const app = await findApplication(req.params.app, deps);
    res.status(201).json(groups.serializeGroup(await groups.createGroup(app, name, deps), app.name));
  });

  router.delete('/:app/groups/:group', async (req, res) => {
    const app = await findApplication(req.params.app, deps);
    await groups.deleteMembership(await groups.findGroup(app, req.params.group, deps));
    res.status(204).end();
  });

  router.get('/:app/groups/:group/users', async (req, res) => {
    const { limit, offset } = parse(paginationSchema, req.query);
    const app = await findApplication(req.params.app, deps);
    const { rows, count } = await groups.listMembers(
      await groups.findGroup(app, req.params.group, deps),
      limit,
      offset,
      deps,
    );
    sendList(
      res,
      rows.map((u) => serializeUser(u, app.name)),
      count,
    );
  });

  return router;
}

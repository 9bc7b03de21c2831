import { Router } from 'express';
import { appNameSchema, paginationSchema, plainText } from '../../schemas/common.schema';
import { createAnyUserSchema, createUserSchema, updateUserSchema } from '../../schemas/user.schema';
import { findApplication } from '../../services/application.service';
import type { Deps } from '../../services/deps';
import * as sessions from '../../services/session.service';
import * as users from '../../services/user.service';
import type { Application } from '../../db/models';
import { adminAuth } from '../middleware/admin-auth';
import { sendList } from '../respond';
import { checkParam, parse } from '../validate';

/** `?q=` keeps the users whose username contains it, ignoring case (a console search). */
const usersQuery = paginationSchema.extend({ q: plainText().max(128).optional() });
const allUsersQuery = usersQuery.extend({ app: appNameSchema.optional() });

/** Contract §3.3 (users of one application) and §3.4 (all users, by uid). */
export function usersRouter(deps: Deps): Router {
  const router = Router({ caseSensitive: true });
  router.param('app', checkParam('app', appNameSchema));
  router.use(['/users', '/:app/users'], adminAuth(deps));

  // §3.4: all users
  router.get('/users', async (req, res) => {
    const { limit, offset, app, q } = parse(allUsersQuery, req.query);
    const application = app === undefined ? undefined : await findApplication(app, deps);
    const { rows, count } = await users.listUsers({ applicationId: application?.id, search: q }, limit, offset, deps);
    sendList(
      res,
      rows.map((u) => users.serializeUser(u, (u.application as Application).name)),
      count,
    );
  });

  router.post('/users', async (_req, res) => {
    const { app, ...input } = parse(createAnyUserSchema, res.locals.data);
    const application = await findApplication(app, deps);
    const user = await users.createUser(application, input, deps);
    res.status(201).json(users.serializeUser(user, application.name));
  });

  router.get('/users/:uid', async (req, res) => {
    const user = await users.findUserByUid(req.params.uid, deps);
    res.json(users.serializeUser(user, (user.application as Application).name));
  });

  router.patch('/users/:uid', async (req, res) => {
    const input = parse(updateUserSchema, res.locals.data);
    const user = await users.findUserByUid(req.params.uid, deps);
    const application = user.application as Application;
    const updated = await users.updateUser(user, application, input, deps);
    res.json(users.serializeUser(updated, application.name));
  });

  router.delete('/users/:uid', async (req, res) => {
    await users.deleteUser(await users.findUserByUid(req.params.uid, deps), deps);
    res.status(204).end();
  });

  // §3.3: users of one application
  router.get('/:app/users', async (req, res) => {
    const { limit, offset, q } = parse(usersQuery, req.query);
    const application = await findApplication(req.params.app, deps);
    const { rows, count } = await users.listUsers({ applicationId: application.id, search: q }, limit, offset, deps);
    sendList(
      res,
      rows.map((u) => users.serializeUser(u, application.name)),
      count,
    );
  });

  router.post('/:app/users', async (req, res) => {
    const input = parse(createUserSchema, res.locals.data);
    const application = await findApplication(req.params.app, deps);
    const user = await users.createUser(application, input, deps);
    res.status(201).json(users.serializeUser(user, application.name));
  });

  router.get('/:app/users/:username', async (req, res) => {
    const application = await findApplication(req.params.app, deps);
    res.json(users.serializeUser(await users.findUser(application, req.params.username, deps), application.name));
  });

  router.patch('/:app/users/:username', async (req, res) => {
    const input = parse(updateUserSchema, res.locals.data);
    const application = await findApplication(req.params.app, deps);
    const user = await users.findUser(application, req.params.username, deps);
    const updated = await users.updateUser(user, application, input, deps);
    res.json(users.serializeUser(updated, application.name));
  });

  router.delete('/:app/users/:username', async (req, res) => {
    const application = await findApplication(req.params.app, deps);
    await users.deleteUser(await users.findUser(application, req.params.username, deps), deps);
    res.status(204).end();
  });

  router.get('/:app/users/:username/sessions', async (req, res) => {
    const { limit, offset } = parse(paginationSchema, req.query);
    const application = await findApplication(req.params.app, deps);
    const live = await sessions.listSessions(await users.findUser(application, req.params.username, deps), deps);
    sendList(res, live.slice(offset, offset + limit), live.length);
  });

  router.delete('/:app/users/:username/sessions/:id', async (req, res) => {
    const application = await findApplication(req.params.app, deps);
    const user = await users.findUser(application, req.params.username, deps);
    await sessions.revokeSession(user, req.params.id, deps);
    res.status(204).end();
  });

  router.delete('/:app/users/:username/sessions', async (req, res) => {
    const application = await findApplication(req.params.app, deps);
    await users.revokeSessions(await users.findUser(application, req.params.username, deps), deps.clock.now(), deps);
    res.status(204).end();
  });

  return router;
}

import { z } from 'zod';
import type { Application } from '../../db/application.repository';
import { appNameSchema, paginationSchema, plainText } from '../../schemas/common.schema';
import { sessionSchema, userSchema } from '../../schemas/responses.schema';
import { createAnyUserSchema, createUserSchema, updateUserSchema } from '../../schemas/user.schema';
import { findApplication } from '../../services/application.service';
import { removeFactor } from '../../services/mfa.service';
import * as sessions from '../../services/session.service';
import * as users from '../../services/user.service';
import type { Deps } from '../../services/deps';
import { defineRoute } from '../route';

/** `?q=` keeps the users whose username contains it, ignoring case (a console search). */
const usersQuery = paginationSchema.extend({ q: plainText().max(128).optional() });
const allUsersQuery = usersQuery.extend({ app: appNameSchema.optional() });
const uid = z.object({ uid: z.string() });
const app = z.object({ app: appNameSchema });
// A username in a path is looked up as NFC, the form it is stored in.
const appUser = app.extend({ username: z.string().normalize('NFC') });
const appUserSession = appUser.extend({ id: z.string() });

/** The user of `/:app/users/:username`, with its application. */
async function userOf(params: z.infer<typeof appUser>, deps: Deps) {
  const application = await findApplication(params.app, deps);
  return { application, user: await users.findUser(application, params.username, deps) };
}

/** Users: of all applications by uid, and of one application by username; and their sessions. */
export const userRoutes = [
  defineRoute({
    method: 'get',
    path: '/users',
    operationId: 'listAllUsers',
    errors: ['application_not_found'],
    summary: 'All users (of one application with ?app=)',
    tag: 'users',
    auth: 'admin',
    query: allUsersQuery,
    list: userSchema,
    async handle({ query, deps }) {
      const application = query.app === undefined ? undefined : await findApplication(query.app, deps);
      const filter = { applicationId: application?.id, search: query.q };
      const { rows, count } = await users.listUsers(filter, query.limit, query.offset, deps);
      return { items: rows.map((u) => users.serializeUser(u, u.app)), total: count };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/users',
    operationId: 'createUserInApplication',
    errors: ['application_not_found', 'username_taken', 'email_taken', 'weak_password'],
    summary: 'Create a user in the named application',
    tag: 'users',
    auth: 'admin',
    audit: 'user.create',
    body: createAnyUserSchema,
    response: userSchema,
    status: 201,
    async handle({ body: { app: name, ...input }, deps }) {
      const application = await findApplication(name, deps);
      return users.serializeUser(await users.createUser(application, input, deps), application.name);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:uid',
    operationId: 'getUserByUid',
    errors: ['user_not_found'],
    summary: 'One user by uid',
    tag: 'users',
    auth: 'admin',
    params: uid,
    response: userSchema,
    async handle({ params, deps }) {
      const user = await users.findUserByUid(params.uid, deps);
      return users.serializeUser(user, (user.application as Application).name);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/users/:uid',
    operationId: 'updateUserByUid',
    errors: ['user_not_found', 'username_taken', 'email_taken', 'weak_password'],
    summary: 'Change a user by uid (a new password or disabled revokes its sessions)',
    tag: 'users',
    auth: 'admin',
    audit: 'user.update',
    params: uid,
    body: updateUserSchema,
    response: userSchema,
    async handle({ params, body, deps }) {
      const user = await users.findUserByUid(params.uid, deps);
      const application = user.application as Application;
      return users.serializeUser(await users.updateUser(user, application, body, deps), application.name);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:uid',
    operationId: 'deleteUserByUid',
    errors: ['user_not_found'],
    summary: 'Delete a user by uid',
    tag: 'users',
    auth: 'admin',
    audit: 'user.delete',
    params: uid,
    async handle({ params, deps }) {
      const user = await users.findUserByUid(params.uid, deps);
      await users.deleteUser(user, user.application as Application, deps);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/:app/users',
    operationId: 'listUsers',
    errors: ['application_not_found'],
    summary: 'Users of one application',
    tag: 'users',
    auth: 'admin',
    appKey: 'users:read',
    audit: 'user.list',
    params: app,
    query: usersQuery,
    list: userSchema,
    async handle({ params, query, deps }) {
      const application = await findApplication(params.app, deps);
      const filter = { applicationId: application.id, search: query.q };
      const { rows, count } = await users.listUsers(filter, query.limit, query.offset, deps);
      return { items: rows.map((u) => users.serializeUser(u, application.name)), total: count };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/:app/users',
    operationId: 'createUser',
    errors: ['application_not_found', 'username_taken', 'email_taken', 'weak_password'],
    summary: 'Create a user',
    tag: 'users',
    auth: 'admin',
    appKey: 'users:write',
    audit: 'user.create',
    params: app,
    body: createUserSchema,
    response: userSchema,
    status: 201,
    async handle({ params, body, deps }) {
      const application = await findApplication(params.app, deps);
      return users.serializeUser(await users.createUser(application, body, deps), application.name);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/:app/users/:username',
    operationId: 'getUser',
    errors: ['application_not_found', 'user_not_found'],
    summary: 'One user',
    tag: 'users',
    auth: 'admin',
    appKey: 'users:read',
    audit: 'user.read',
    params: appUser,
    response: userSchema,
    async handle({ params, deps }) {
      const { application, user } = await userOf(params, deps);
      return users.serializeUser(user, application.name);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/:app/users/:username',
    operationId: 'updateUser',
    errors: ['application_not_found', 'user_not_found', 'username_taken', 'email_taken', 'weak_password'],
    summary: 'Change a user (a new password or disabled revokes its sessions)',
    tag: 'users',
    auth: 'admin',
    appKey: 'users:write',
    audit: 'user.update',
    params: appUser,
    body: updateUserSchema,
    response: userSchema,
    async handle({ params, body, deps }) {
      const { application, user } = await userOf(params, deps);
      return users.serializeUser(await users.updateUser(user, application, body, deps), application.name);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/:app/users/:username',
    operationId: 'deleteUser',
    errors: ['application_not_found', 'user_not_found'],
    summary: 'Delete a user',
    tag: 'users',
    auth: 'admin',
    appKey: 'users:write',
    audit: 'user.delete',
    params: appUser,
    async handle({ params, deps }) {
      const { application, user } = await userOf(params, deps);
      await users.deleteUser(user, application, deps);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/:app/users/:username/sessions',
    operationId: 'listUserSessions',
    errors: ['application_not_found', 'user_not_found'],
    summary: "The user's live sessions (one per refresh family), newest first",
    tag: 'users',
    auth: 'admin',
    appKey: 'users:read',
    audit: 'user.list_sessions',
    params: appUser,
    query: paginationSchema,
    list: sessionSchema,
    async handle({ params, query, deps }) {
      const live = await sessions.listSessions((await userOf(params, deps)).user, deps);
      return { items: live.slice(query.offset, query.offset + query.limit), total: live.length };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/:app/users/:username/sessions/:id',
    operationId: 'revokeSession',
    errors: ['application_not_found', 'user_not_found', 'session_not_found'],
    summary: 'Revoke one session (refresh family) of the user',
    tag: 'users',
    auth: 'admin',
    appKey: 'users:write',
    audit: 'user.revoke_session',
    params: appUserSession,
    async handle({ params, deps }) {
      const { application, user } = await userOf(params, deps);
      await sessions.revokeSession(user, application, params.id, deps);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/:app/users/:username/sessions',
    operationId: 'revokeAllSessions',
    errors: ['application_not_found', 'user_not_found'],
    summary: "Revoke all the user's sessions (log out everywhere)",
    tag: 'users',
    auth: 'admin',
    appKey: 'users:write',
    audit: 'user.revoke_sessions',
    params: appUser,
    async handle({ params, deps }) {
      const { application, user } = await userOf(params, deps);
      await users.revokeSessions(user, application, deps.clock.now(), deps);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/:app/users/:username/mfa',
    operationId: 'resetUserMfa',
    errors: ['application_not_found', 'user_not_found', 'second_factor_not_found'],
    summary: "Remove the user's second factor and its recovery codes",
    tag: 'users',
    auth: 'admin',
    appKey: 'mfa:reset',
    audit: 'user.remove_mfa',
    params: appUser,
    async handle({ params, deps }) {
      await removeFactor((await userOf(params, deps)).user, deps);
    },
  }),
];

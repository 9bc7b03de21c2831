import { z } from 'zod';
import { appNameSchema, paginationSchema } from '../../schemas/common.schema';
import { createGroupSchema } from '../../schemas/group.schema';
import { groupSchema, orgSchema, userSchema } from '../../schemas/responses.schema';
import { findApplication } from '../../services/application.service';
import * as groups from '../../services/group.service';
import { serializeUser } from '../../services/user.service';
import type { Deps } from '../../services/deps';
import { defineRoute } from '../route';

const app = z.object({ app: appNameSchema });
const appGroup = app.extend({ group: z.string() });
const org = z.object({ org: z.string() });

/** The group of `/:app/groups/:group`, with its application. */
async function groupOf(params: z.infer<typeof appGroup>, deps: Deps) {
  const application = await findApplication(params.app, deps);
  return { application, group: await groups.findGroup(application, params.group, deps) };
}

/** Groups of one application and orgs across applications. Membership is set on the users. */
export const groupRoutes = [
  defineRoute({
    method: 'get',
    path: '/orgs',
    operationId: 'listOrgs',
    summary: 'Orgs',
    tag: 'groups',
    auth: 'admin',
    query: paginationSchema,
    list: orgSchema,
    async handle({ query, deps }) {
      const { rows, count } = await groups.listOrgs(query.limit, query.offset, deps);
      return { items: rows.map(groups.serializeOrg), total: count };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/orgs',
    operationId: 'createOrg',
    errors: ['org_name_taken'],
    summary: 'Create an org',
    tag: 'groups',
    auth: 'admin',
    audit: 'org.create',
    body: createGroupSchema,
    response: orgSchema,
    status: 201,
    async handle({ body, deps }) {
      return groups.serializeOrg(await groups.createOrg(body.name, deps));
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/orgs/:org',
    operationId: 'deleteOrg',
    errors: ['org_not_found'],
    summary: 'Delete an org (its members leave it)',
    tag: 'groups',
    auth: 'admin',
    audit: 'org.delete',
    params: org,
    async handle({ params, deps }) {
      await groups.deleteMembership(await groups.findOrg(params.org, deps), deps);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/orgs/:org/users',
    operationId: 'listOrgMembers',
    errors: ['org_not_found'],
    summary: 'Members of an org, across applications',
    tag: 'groups',
    auth: 'admin',
    params: org,
    query: paginationSchema,
    list: userSchema,
    async handle({ params, query, deps }) {
      const { rows, count } = await groups.listMembers(
        await groups.findOrg(params.org, deps),
        query.limit,
        query.offset,
        deps,
      );
      return { items: rows.map((u) => serializeUser(u, u.app)), total: count };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/:app/groups',
    operationId: 'listGroups',
    errors: ['application_not_found'],
    summary: 'Groups of an application',
    tag: 'groups',
    auth: 'admin',
    params: app,
    query: paginationSchema,
    list: groupSchema,
    async handle({ params, query, deps }) {
      const application = await findApplication(params.app, deps);
      const { rows, count } = await groups.listGroups(application, query.limit, query.offset, deps);
      return { items: rows.map((g) => groups.serializeGroup(g, application.name)), total: count };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/:app/groups',
    operationId: 'createGroup',
    errors: ['application_not_found', 'group_name_taken'],
    summary: 'Create a group',
    tag: 'groups',
    auth: 'admin',
    audit: 'group.create',
    params: app,
    body: createGroupSchema,
    response: groupSchema,
    status: 201,
    async handle({ params, body, deps }) {
      const application = await findApplication(params.app, deps);
      return groups.serializeGroup(await groups.createGroup(application, body.name, deps), application.name);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/:app/groups/:group',
    operationId: 'deleteGroup',
    errors: ['application_not_found', 'group_not_found'],
    summary: 'Delete a group (its members leave it)',
    tag: 'groups',
    auth: 'admin',
    audit: 'group.delete',
    params: appGroup,
    async handle({ params, deps }) {
      await groups.deleteMembership((await groupOf(params, deps)).group, deps);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/:app/groups/:group/users',
    operationId: 'listGroupMembers',
    errors: ['application_not_found', 'group_not_found'],
    summary: 'Members of a group',
    tag: 'groups',
    auth: 'admin',
    params: appGroup,
    query: paginationSchema,
    list: userSchema,
    async handle({ params, query, deps }) {
      const { application, group } = await groupOf(params, deps);
      const { rows, count } = await groups.listMembers(group, query.limit, query.offset, deps);
      return { items: rows.map((u) => serializeUser(u, application.name)), total: count };
    },
  }),
];

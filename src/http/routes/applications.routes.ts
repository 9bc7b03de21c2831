import { z } from 'zod';
import { appNameSchema, paginationSchema } from '../../schemas/common.schema';
import { createApplicationSchema, rotateSecretSchema, updateApplicationSchema } from '../../schemas/application.schema';
import { applicationSchema } from '../../schemas/responses.schema';
import * as applications from '../../services/application.service';
import { defineRoute } from '../route';

const name = z.object({ name: appNameSchema });
const showQuery = z.object({ include_secret: z.enum(['true', 'false']).optional() });

/** Whether a read asks for the secret (any value but `false`, so that a refused ask is recorded too). */
const asksForSecret = (query: Record<string, unknown>) =>
  query.include_secret !== undefined && query.include_secret !== 'false';

/** Applications. Secrets leave only on create, on rotation, or when asked for by name. */
export const applicationRoutes = [
  defineRoute({
    method: 'get',
    path: '/applications',
    operationId: 'listApplications',
    summary: 'List applications',
    tag: 'applications',
    auth: 'admin',
    query: paginationSchema,
    list: applicationSchema,
    async handle({ query, deps }) {
      const { rows, count } = await applications.listApplications(query.limit, query.offset, deps);
      return { items: rows.map((app) => applications.serializeApplication(app)), total: count };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/applications',
    operationId: 'createApplication',
    errors: ['application_name_taken'],
    summary: 'Create an application (the answer carries its secret)',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.create',
    body: createApplicationSchema,
    response: applicationSchema,
    status: 201,
    async handle({ body, deps }) {
      return applications.serializeApplication(await applications.createApplication(body, deps), {
        secretKey: deps.config.secretKey,
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/applications/:name',
    operationId: 'getApplication',
    errors: ['application_not_found'],
    summary: 'One application (with its secret when include_secret=true, which is audited)',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.read_secret',
    auditIf: (req) => asksForSecret(req.query),
    params: name,
    query: showQuery,
    response: applicationSchema,
    async handle({ params, query, deps }) {
      const app = await applications.findApplication(params.name, deps);
      const secretKey = query.include_secret === 'true' ? deps.config.secretKey : undefined;
      return applications.serializeApplication(app, { secretKey });
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/applications/:name',
    operationId: 'updateApplication',
    errors: ['application_not_found', 'application_name_taken'],
    summary: 'Change an application',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.update',
    params: name,
    body: updateApplicationSchema,
    response: applicationSchema,
    async handle({ params, body, deps }) {
      return applications.serializeApplication(await applications.updateApplication(params.name, body, deps));
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/applications/:name',
    operationId: 'deleteApplication',
    errors: ['application_not_found'],
    summary: 'Delete an application and its users',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.delete',
    params: name,
    async handle({ params, deps }) {
      await applications.deleteApplication(params.name, deps);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/applications/:name/rotate_secret',
    operationId: 'rotateApplicationSecret',
    errors: ['application_not_found'],
    summary: 'Rotate the secret (the old one verifies for the grace period)',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.rotate_secret',
    params: name,
    body: rotateSecretSchema,
    response: applicationSchema,
    async handle({ params, body, deps }) {
      const app = await applications.rotateSecret(params.name, body, deps);
      return applications.serializeApplication(app, { secretKey: deps.config.secretKey });
    },
  }),
];

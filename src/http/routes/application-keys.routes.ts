import { z } from 'zod';
import {
  applicationKeySchema,
  createApplicationKeySchema,
  createdApplicationKeySchema,
} from '../../schemas/application-key.schema';
import { appNameSchema } from '../../schemas/common.schema';
import * as keys from '../../services/application-key.service';
import { defineRoute } from '../route';

const name = z.object({ name: appNameSchema });
const nameAndId = name.extend({ id: z.string().max(64) });

/** Application keys: an application's backend manages its own users with one (docs/api.md). */
export const applicationKeyRoutes = [
  defineRoute({
    method: 'get',
    path: '/applications/:name/keys',
    operationId: 'listApplicationKeys',
    errors: ['application_not_found'],
    summary: "The application's keys (never the keys themselves)",
    tag: 'applications',
    auth: 'admin',
    params: name,
    list: applicationKeySchema,
    async handle({ params, deps }) {
      const items = await keys.listKeys(params.name, deps);
      return { items, total: items.length };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/applications/:name/keys',
    operationId: 'createApplicationKey',
    errors: ['application_not_found'],
    summary: 'Create an application key (the answer is the only time the key is shown)',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.key_create',
    noStore: true,
    params: name,
    body: createApplicationKeySchema,
    response: createdApplicationKeySchema,
    status: 201,
    async handle({ params, body, deps }) {
      return keys.createKey(params.name, body, deps);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/applications/:name/keys/:id',
    operationId: 'revokeApplicationKey',
    errors: ['application_not_found', 'application_key_not_found'],
    summary: 'Revoke an application key, at once on every instance',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.key_revoke',
    params: nameAndId,
    async handle({ params, deps }) {
      await keys.revokeKey(params.name, params.id, deps);
    },
  }),
];

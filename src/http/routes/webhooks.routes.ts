import { z } from 'zod';
import { appNameSchema, paginationSchema } from '../../schemas/common.schema';
import {
  createdWebhookSchema,
  createWebhookSchema,
  updateWebhookSchema,
  webhookDeliverySchema,
  webhookSchema,
} from '../../schemas/webhook.schema';
import * as webhooks from '../../services/webhook.service';
import { defineRoute } from '../route';

const name = z.object({ name: appNameSchema });
const nameAndId = name.extend({ id: z.string().max(64) });

/** Webhooks: an application's endpoints, told of its users' events (docs/api.md, Webhooks). */
export const webhookRoutes = [
  defineRoute({
    method: 'get',
    path: '/applications/:name/webhooks',
    summary: "The application's webhook endpoints (never their secrets)",
    tag: 'applications',
    auth: 'admin',
    params: name,
    list: webhookSchema,
    async handle({ params, deps }) {
      const items = await webhooks.listWebhooks(params.name, deps);
      return { items, total: items.length };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/applications/:name/webhooks',
    summary: 'Create a webhook endpoint (the answer is the only time its signing secret is shown)',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.webhook_create',
    noStore: true,
    params: name,
    body: createWebhookSchema,
    response: createdWebhookSchema,
    status: 201,
    async handle({ params, body, deps }) {
      return webhooks.createWebhook(params.name, body, deps);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/applications/:name/webhooks/:id',
    summary: 'One webhook endpoint (never its secret)',
    tag: 'applications',
    auth: 'admin',
    params: nameAndId,
    response: webhookSchema,
    async handle({ params, deps }) {
      return webhooks.getWebhook(params.name, params.id, deps);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/applications/:name/webhooks/:id',
    summary: "Change a webhook endpoint's URL or events",
    tag: 'applications',
    auth: 'admin',
    audit: 'application.webhook_update',
    params: nameAndId,
    body: updateWebhookSchema,
    response: webhookSchema,
    async handle({ params, body, deps }) {
      return webhooks.updateWebhook(params.name, params.id, body, deps);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/applications/:name/webhooks/:id',
    summary: 'Delete a webhook endpoint and its deliveries',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.webhook_delete',
    params: nameAndId,
    async handle({ params, deps }) {
      await webhooks.deleteWebhook(params.name, params.id, deps);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/applications/:name/webhooks/:id/test',
    summary: 'Queue a webhook.test event to this endpoint',
    tag: 'applications',
    auth: 'admin',
    audit: 'application.webhook_test',
    params: nameAndId,
    response: webhookDeliverySchema,
    status: 202,
    async handle({ params, deps }) {
      return webhooks.sendTestEvent(params.name, params.id, deps);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/applications/:name/webhooks/:id/deliveries',
    summary: "The endpoint's deliveries, newest first, with their attempts",
    tag: 'applications',
    auth: 'admin',
    params: nameAndId,
    query: paginationSchema,
    list: webhookDeliverySchema,
    async handle({ params, query, deps }) {
      return webhooks.listDeliveries(params.name, params.id, query, deps);
    },
  }),
];

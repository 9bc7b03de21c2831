import { z } from 'zod';
import { appNameSchema, paginationSchema } from '../../schemas/common.schema';
import {
  createdWebhookSchema,
  createWebhookSchema,
  updateWebhookSchema,
  webhookDeliverySchema,
  webhookSchema,
} from '../../schemas/webhook.schema';
import { handDelivery, type QueueAction } from '../../services/webhook-queue.service';
import * as webhooks from '../../services/webhook.service';
import { defineRoute } from '../route';

const name = z.object({ name: appNameSchema });
const nameAndId = name.extend({ id: z.string().max(64) });
const oneDelivery = nameAndId.extend({ delivery: z.string().max(64) });

const QUEUE_ACTIONS: [QueueAction, string, number][] = [
  ['retry', 'Send a pending, failed or skipped delivery again now, at the head of its queue', 202],
  ['replay', 'Send a delivered delivery again now, with the same webhook-id', 202],
  ['skip', 'Take a pending delivery out of the queue: the deliveries after it go on', 200],
];

/** `POST .../deliveries/:delivery/retry|replay|skip`: an admin's hand on the queue. */
const queueRoutes = QUEUE_ACTIONS.map(([action, summary, status]) =>
  defineRoute({
    method: 'post',
    path: `/applications/:name/webhooks/:id/deliveries/:delivery/${action}`,
    operationId: `${action}WebhookDelivery`,
    errors: [
      'application_not_found',
      'webhook_not_found',
      'delivery_not_found',
      'delivery_in_flight',
      'delivery_state',
    ],
    summary,
    tag: 'applications',
    auth: 'admin',
    audit: `application.webhook_delivery_${action}`,
    params: oneDelivery,
    response: webhookDeliverySchema,
    status,
    async handle({ params, deps }) {
      return handDelivery(params.name, params.id, params.delivery, action, deps);
    },
  }),
);

/** Webhooks: an application's endpoints, told of its users' events (docs/api.md, Webhooks). */
export const webhookRoutes = [
  defineRoute({
    method: 'get',
    path: '/applications/:name/webhooks',
    operationId: 'listWebhooks',
    errors: ['application_not_found'],
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
    operationId: 'createWebhook',
    errors: ['application_not_found'],
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
    operationId: 'getWebhook',
    errors: ['application_not_found', 'webhook_not_found'],
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
    operationId: 'updateWebhook',
    errors: ['application_not_found', 'webhook_not_found'],
    summary: "Change a webhook endpoint's URL or events, or turn it off and on (disabled)",
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
    operationId: 'deleteWebhook',
    errors: ['application_not_found', 'webhook_not_found'],
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
    operationId: 'testWebhook',
    errors: ['application_not_found', 'webhook_not_found', 'webhook_disabled'],
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
    operationId: 'listWebhookDeliveries',
    errors: ['application_not_found', 'webhook_not_found'],
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
  ...queueRoutes,
];

import * as deliveries from '../db/webhook-delivery.repository';
import * as hooks from '../db/webhook.repository';
import { randomId } from '../crypto/random';
import { seal, WEBHOOK_SECRETS } from '../crypto/secret-box';
import { newWebhookSecret } from '../crypto/webhook-signature';
import { AppError, assertThat } from '../errors';
import { refusalOf } from '../infra/webhook-address';
import {
  WEBHOOK_TEST_EVENT,
  type CreateWebhookInput,
  type UpdateWebhookInput,
  type WebhookDeliveryResponse,
  type WebhookEventType,
  type WebhookResponse,
} from '../schemas/webhook.schema';
import { findApplication } from './application.service';
import type { Deps } from './deps';
import { enqueueTo } from './webhook-events.service';

type WebhookDeps = Pick<Deps, 'db' | 'applications' | 'clock' | 'config' | 'webhooks' | 'deliveries'>;

export function serializeWebhook(hook: hooks.WebhookRecord): WebhookResponse {
  return {
    id: hook.id,
    url: hook.url,
    events: hook.events as WebhookEventType[],
    disabled: hook.disabledAt !== null,
    disabled_at: hook.disabledAt?.toISOString() ?? null,
    disabled_reason: hook.disabledReason,
    created_at: hook.createdAt.toISOString(),
    updated_at: hook.updatedAt.toISOString(),
  };
}

export function serializeDelivery(
  delivery: deliveries.DeliveryRecord & { attemptList: deliveries.AttemptRecord[] },
): WebhookDeliveryResponse {
  return {
    id: delivery.messageId,
    type: delivery.type,
    status: delivery.status,
    created_at: delivery.createdAt.toISOString(),
    next_attempt_at: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    finished_at: delivery.finishedAt ? delivery.finishedAt.toISOString() : null,
    attempts: delivery.attemptList.map((attempt) => ({
      at: attempt.at.toISOString(),
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
    })),
  };
}

/**
 * SSRF: a webhook's URL may not name or resolve to a private, loopback, link-local or
 * unique-local address unless WEBHOOK_ALLOW_PRIVATE. Checked here, and again at every delivery
 * on the addresses connected to (the name may resolve elsewhere by then).
 */
async function assertAllowedUrl(url: string, deps: Pick<Deps, 'config'>): Promise<void> {
  const refusal = await refusalOf(new URL(url), deps.config.webhookAllowPrivate);
  if (!refusal) return;
  const message = `${refusal}; webhooks may not reach private networks unless WEBHOOK_ALLOW_PRIVATE=true`;
  throw new AppError('validation_failed', `The webhook URL is refused: ${message}.`, [{ field: 'url', message }]);
}

/** The endpoint `id` of the application, with the application; 404 when either is not there. */
export async function webhookOf(appName: string, id: string, deps: Pick<Deps, 'applications' | 'webhooks'>) {
  const application = await findApplication(appName, deps);
  const hook = await deps.webhooks.find(application.id, id);
  assertThat(hook, 'webhook_not_found', `No webhook of "${appName}" has the id "${id}".`);
  return { application, hook };
}

/** Creates an endpoint; the answer is the only place its signing secret appears (stored sealed). */
export async function createWebhook(appName: string, input: CreateWebhookInput, deps: WebhookDeps) {
  const application = await findApplication(appName, deps);
  await assertAllowedUrl(input.url, deps);
  const secret = newWebhookSecret();
  const now = deps.clock.now();
  const hook = { id: randomId(), applicationId: application.id, url: input.url, events: input.events };
  const record = { ...hook, createdAt: now, updatedAt: now, disabledAt: null, disabledReason: null };
  await deps.webhooks.insert({ ...record, secretSealed: seal(secret, deps.config.secretKey, WEBHOOK_SECRETS) });
  return { ...serializeWebhook(record), secret };
}

export async function listWebhooks(appName: string, deps: Pick<Deps, 'applications' | 'webhooks'>) {
  const application = await findApplication(appName, deps);
  return (await deps.webhooks.list(application.id)).map(serializeWebhook);
}

export async function getWebhook(appName: string, id: string, deps: Pick<Deps, 'applications' | 'webhooks'>) {
  return serializeWebhook((await webhookOf(appName, id, deps)).hook);
}

export async function updateWebhook(appName: string, id: string, input: UpdateWebhookInput, deps: WebhookDeps) {
  const { application, hook } = await webhookOf(appName, id, deps);
  if (input.url !== undefined) await assertAllowedUrl(input.url, deps);
  const now = deps.clock.now();
  const changed = {
    ...hook,
    url: input.url ?? hook.url,
    events: input.events ?? hook.events,
    ...state(hook, input, now),
  };
  const updated = { ...changed, updatedAt: now };
  assertThat(
    await deps.webhooks.update({ ...updated, applicationId: application.id }),
    'webhook_not_found',
    `No webhook of "${appName}" has the id "${id}".`,
  );
  return serializeWebhook(updated);
}

/** `disabled: true` turns the endpoint off by hand; `false` turns it back on (its pending deliveries go on). */
function state(hook: hooks.WebhookRecord, input: UpdateWebhookInput, now: Date) {
  if (input.disabled === false) return { disabledAt: null, disabledReason: null };
  if (input.disabled === true && hook.disabledAt === null)
    return { disabledAt: now, disabledReason: 'disabled by an admin' };
  return { disabledAt: hook.disabledAt, disabledReason: hook.disabledReason };
}

/** Deletes the endpoint and its deliveries: nothing more is sent to it. */
export async function deleteWebhook(
  appName: string,
  id: string,
  deps: Pick<Deps, 'applications' | 'webhooks'>,
): Promise<void> {
  const application = await findApplication(appName, deps);
  assertThat(
    await deps.webhooks.delete(application.id, id),
    'webhook_not_found',
    `No webhook of "${appName}" has the id "${id}".`,
  );
}

/** Queues a `webhook.test` event to this endpoint only; the answer is its delivery, still pending. */
export async function sendTestEvent(appName: string, id: string, deps: WebhookDeps) {
  const { application, hook } = await webhookOf(appName, id, deps);
  if (hook.disabledAt) throw new AppError('webhook_disabled');
  const queued = await enqueueTo(deps, hook.id, application, WEBHOOK_TEST_EVENT, { webhook: hook.id });
  const created = queued.createdAt.toISOString();
  return {
    id: queued.messageId,
    type: WEBHOOK_TEST_EVENT,
    status: 'pending' as const,
    created_at: created,
    next_attempt_at: created,
    finished_at: null,
    attempts: [],
  };
}

export async function listDeliveries(
  appName: string,
  id: string,
  page: { limit: number; offset: number },
  deps: Pick<Deps, 'applications' | 'deliveries' | 'webhooks'>,
) {
  const { hook } = await webhookOf(appName, id, deps);
  const { total, items } = await deps.deliveries.list(hook.id, page.limit, page.offset);
  return { total, items: items.map(serializeDelivery) };
}

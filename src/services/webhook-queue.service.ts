import * as deliveries from '../db/webhook-delivery.repository';
import { AppError, assertThat } from '../errors';
import type { WebhookDeliveryResponse } from '../schemas/webhook.schema';
import type { Deps } from './deps';
import { nudgeWorkers } from './webhook-events.service';
import { serializeDelivery, webhookOf } from './webhook.service';

/**
 * An admin's hand on an endpoint's queue (docs/api.md, Webhooks): send a delivery again now (a
 * retry of a pending, failed or skipped one; a replay of a delivered one, with the same
 * `webhook-id`), or skip a pending one so that the queue goes on without it.
 */
export type QueueAction = 'retry' | 'replay' | 'skip';

const ALLOWED: Record<QueueAction, deliveries.DeliveryStatus[]> = {
  retry: ['pending', 'failed', 'skipped'],
  replay: ['delivered'],
  skip: ['pending'],
};

const REFUSED: Record<QueueAction, string> = {
  retry: 'Only a pending, failed or skipped delivery can be retried; replay a delivered one.',
  replay: 'Only a delivered delivery can be replayed; retry the others.',
  skip: 'Only a pending delivery can be skipped.',
};

export async function handDelivery(
  appName: string,
  webhookId: string,
  messageId: string,
  action: QueueAction,
  deps: Pick<Deps, 'db' | 'applications' | 'clock' | 'deliveries' | 'webhooks'>,
): Promise<WebhookDeliveryResponse> {
  const { hook } = await webhookOf(appName, webhookId, deps);
  const kind = action === 'skip' ? 'skip' : 'send';
  const done = await deps.deliveries.hand(hook.id, messageId, kind, ALLOWED[action], deps.clock.now());
  assertThat(done, 'delivery_not_found', `This webhook has no delivery "${messageId}".`);
  if (done === 'busy') throw new AppError('delivery_in_flight');
  if (done !== 'done') throw new AppError('delivery_state', `${REFUSED[action]} This one is ${done}.`);
  if (kind === 'send') nudgeWorkers(deps.db);
  const delivery = await deps.deliveries.find(hook.id, messageId);
  assertThat(delivery, 'delivery_not_found', `This webhook has no delivery "${messageId}".`);
  return serializeDelivery(delivery);
}

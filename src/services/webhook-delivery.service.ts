import { performance } from 'node:perf_hooks';
import { randomId } from '../crypto/random';
import { open, WEBHOOK_SECRETS } from '../crypto/secret-box';
import { signWebhook } from '../crypto/webhook-signature';
import {
  anyDue,
  claimDelivery,
  finishAttempt,
  releaseDelivery,
  type ClaimedDelivery,
  type DeliveryStatus,
} from '../db/webhook-delivery.repository';
import { sendWebhook, type SendResult } from '../infra/webhook-sender';
import { epochSeconds, type Deps } from './deps';

/** How long a failing delivery is retried: after this since its event, it is given up. */
export const GIVE_UP_AFTER_MS = 24 * 3600 * 1000;

export interface DeliveryOptions {
  /** One attempt's limit, connection to answer (10 s). */
  timeoutMs?: number;
  /** Bytes of an answer read at most (64 KiB); its status is all that counts. */
  maxResponseBytes?: number;
  /** How long a claim holds (60 s, well beyond `timeoutMs`); a killed worker's claim lapses after it. */
  leaseMs?: number;
  /** Deliveries sent side by side (to different endpoints: one endpoint gets one at a time). */
  concurrency?: number;
  /** Stops the run: attempts in flight are cut and their deliveries given back untried. */
  signal?: AbortSignal;
}

const DEFAULTS = { timeoutMs: 10_000, maxResponseBytes: 64 * 1024, leaseMs: 60_000, concurrency: 4 };

type DeliveryDeps = Pick<Deps, 'db' | 'clock' | 'config' | 'logger'>;

/**
 * Sends every delivery due now, each claimed by this process alone (see claimDelivery), until
 * none is left; returns how many attempts it made. A failed attempt is retried after
 * WEBHOOK_RETRY_BASE, then twice as long each time, until 24 hours after the event.
 */
export async function runDeliveries(deps: DeliveryDeps, options: DeliveryOptions = {}): Promise<number> {
  const settings = { ...DEFAULTS, ...options };
  if (!(await anyDue(deps.db, deps.clock.now()))) return 0;
  let attempts = 0;
  const lane = async () => {
    while (!settings.signal?.aborted) {
      const now = deps.clock.now();
      const claimed = await claimDelivery(deps.db, now, new Date(now.getTime() + settings.leaseMs), randomId());
      if (!claimed) return;
      if (await deliver(claimed, deps, settings)) attempts += 1;
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, lane));
  return attempts;
}

/** One attempt of a claimed delivery; false when it was cut short (the worker stopping). */
async function deliver(
  delivery: ClaimedDelivery,
  deps: DeliveryDeps,
  settings: typeof DEFAULTS & DeliveryOptions,
): Promise<boolean> {
  const at = deps.clock.now();
  const started = performance.now();
  const result = await attempt(delivery, at, deps, settings);
  if (settings.signal?.aborted) {
    await releaseDelivery(deps.db, delivery);
    return false;
  }
  const delivered = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const next = delivered ? { status: 'delivered' as DeliveryStatus, nextAttemptAt: at } : retryOf(delivery, at, deps);
  const outcome = { webhook: delivery.webhookId, delivery: delivery.messageId, type: delivery.type, ...result };
  if (delivered) deps.logger.info(outcome, 'webhook delivered');
  else deps.logger.warn({ ...outcome, next: next.status }, 'webhook delivery failed');
  const durationMs = Math.round(performance.now() - started);
  await finishAttempt(deps.db, delivery, { deliveryId: delivery.id, at, ...result, durationMs }, next);
  return true;
}

/** Signs and sends; the secret is opened only here and never logged. */
async function attempt(
  delivery: ClaimedDelivery,
  at: Date,
  deps: DeliveryDeps,
  settings: typeof DEFAULTS & DeliveryOptions,
): Promise<SendResult> {
  let secret: string;
  try {
    secret = open(delivery.secretSealed, deps.config.secretKey, WEBHOOK_SECRETS);
  } catch {
    return { statusCode: null, error: 'the signing secret cannot be opened: was SECRET_KEY changed?' };
  }
  const timestamp = epochSeconds(at);
  const headers = {
    'webhook-id': delivery.messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, delivery.messageId, timestamp, delivery.payload),
    'user-agent': 'jawth-webhooks',
  };
  return sendWebhook(delivery.url, headers, delivery.payload, {
    timeoutMs: settings.timeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    allowPrivate: deps.config.webhookAllowPrivate,
    signal: settings.signal,
  });
}

/** After the n-th failure, the next attempt waits WEBHOOK_RETRY_BASE × 2^(n-1); past 24 hours, none. */
function retryOf(delivery: ClaimedDelivery, at: Date, deps: Pick<Deps, 'config'>) {
  const failures = delivery.attempts + 1;
  const waitMs = deps.config.webhookRetryBase * 1000 * 2 ** (failures - 1);
  const nextAttemptAt = new Date(at.getTime() + waitMs);
  const giveUp = nextAttemptAt.getTime() > delivery.createdAt.getTime() + GIVE_UP_AFTER_MS;
  return { status: (giveUp ? 'failed' : 'pending') as DeliveryStatus, nextAttemptAt };
}

import { performance } from 'node:perf_hooks';
import { randomId } from '../crypto/random';
import { open, WEBHOOK_SECRETS } from '../crypto/secret-box';
import { signWebhook } from '../crypto/webhook-signature';
import { IN_LINE_ATTEMPTS, type ClaimedDelivery, type DeliveryStatus } from '../db/webhook-delivery.repository';
import { sendWebhook, type SendResult } from '../infra/webhook-sender';
import { recordAudit } from './audit.service';
import { enqueueEvent, sentPayload } from './webhook-events.service';
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

type DeliveryDeps = Pick<Deps, 'db' | 'audit' | 'clock' | 'config' | 'logger' | 'deliveries' | 'webhooks'>;

/** 4xx answers that may pass (a timeout, a conflict, too early, too many): retried like a 5xx. */
const TRANSIENT_4XX = new Set([408, 409, 425, 429]);

/**
 * What an answer means for its delivery: a 2xx is delivered; 410 Gone says the endpoint is no
 * more (it is disabled); any other 4xx refuses this event for good (retrying sends the same
 * bytes, so it cannot pass; the queue goes on at once); anything else, or no answer, is retried.
 */
function verdictOf(statusCode: number | null): 'delivered' | 'retry' | 'refused' | 'gone' {
  if (statusCode === null) return 'retry';
  if (statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode === 410) return 'gone';
  if (statusCode >= 400 && statusCode < 500 && !TRANSIENT_4XX.has(statusCode)) return 'refused';
  return 'retry';
}

/**
 * Sends every delivery due now, each claimed by this process alone (see claimDelivery), until
 * none is left; returns how many attempts it made. A failed attempt is retried after
 * WEBHOOK_RETRY_BASE, then twice as long each time, until 24 hours after the event.
 */
export async function runDeliveries(deps: DeliveryDeps, options: DeliveryOptions = {}): Promise<number> {
  const settings = { ...DEFAULTS, ...options };
  if (!(await deps.deliveries.anyDue(deps.clock.now()))) return 0;
  let attempts = 0;
  const lane = async () => {
    while (!settings.signal?.aborted) {
      const now = deps.clock.now();
      const claimed = await deps.deliveries.claim(
        now,
        new Date(now.getTime() + settings.leaseMs),
        randomId(),
        IN_LINE_ATTEMPTS,
      );
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
    await deps.deliveries.release(delivery);
    return false;
  }
  const verdict = verdictOf(result.statusCode);
  const next =
    verdict === 'retry'
      ? retryOf(delivery, at, result.retryAfterMs, deps)
      : { status: (verdict === 'delivered' ? 'delivered' : 'failed') as DeliveryStatus, nextAttemptAt: at };
  const outcome = { webhook: delivery.webhookId, delivery: delivery.messageId, type: delivery.type, ...result };
  if (verdict === 'delivered') deps.logger.info(outcome, 'webhook delivered');
  else deps.logger.warn({ ...outcome, next: next.status }, 'webhook delivery failed');
  const durationMs = Math.round(performance.now() - started);
  const { statusCode, error } = result;
  const failingSince = await deps.deliveries.finishAttempt(
    delivery,
    { deliveryId: delivery.id, at, statusCode, error, durationMs },
    next,
  );
  if (verdict === 'gone') await disableEndpoint(delivery.webhookId, 'the receiver answered 410 Gone', at, deps);
  else if (failingSince && at.getTime() - failingSince.getTime() >= deps.config.webhookDisableAfter * 1000) {
    const reason = `every attempt has failed since ${failingSince.toISOString()}`;
    await disableEndpoint(delivery.webhookId, reason, at, deps);
  }
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
  let body: string;
  try {
    secret = open(delivery.secretSealed, deps.config.secretKey, WEBHOOK_SECRETS);
    body = sentPayload(delivery.payload, deps);
  } catch {
    return { statusCode: null, error: 'the signing secret or payload cannot be opened: was SECRET_KEY changed?' };
  }
  const timestamp = epochSeconds(at);
  const headers = {
    'webhook-id': delivery.messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, delivery.messageId, timestamp, body),
    'user-agent': 'jawth-webhooks',
  };
  return sendWebhook(delivery.url, headers, body, {
    timeoutMs: settings.timeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    allowPrivate: deps.config.webhookAllowPrivate,
    signal: settings.signal,
  });
}

/**
 * After the n-th failure, the next attempt waits WEBHOOK_RETRY_BASE × 2^(n-1), or as long as the
 * receiver's Retry-After asked if that is longer; past 24 hours, none.
 */
function retryOf(delivery: ClaimedDelivery, at: Date, retryAfterMs: number | undefined, deps: Pick<Deps, 'config'>) {
  const failures = delivery.attempts + 1;
  const backoffMs = deps.config.webhookRetryBase * 1000 * 2 ** (failures - 1);
  const waitMs = Math.max(backoffMs, Math.min(retryAfterMs ?? 0, GIVE_UP_AFTER_MS));
  const nextAttemptAt = new Date(at.getTime() + waitMs);
  const giveUp = nextAttemptAt.getTime() > delivery.createdAt.getTime() + GIVE_UP_AFTER_MS;
  return { status: (giveUp ? 'failed' : 'pending') as DeliveryStatus, nextAttemptAt };
}

/**
 * Turns an endpoint off (a 410, or failing for WEBHOOK_DISABLE_AFTER) once, and says so: the
 * log, the audit log (the console shows the endpoint's reason) and a `webhook.disabled` event to
 * the application's other endpoints that subscribe to it.
 */
async function disableEndpoint(webhookId: string, reason: string, at: Date, deps: DeliveryDeps): Promise<void> {
  if (!(await deps.webhooks.disable(webhookId, reason, at))) return;
  const app = await deps.webhooks.applicationOf(webhookId);
  deps.logger.error({ webhook: webhookId, app: app?.name, reason }, 'webhook endpoint disabled');
  if (!app) return;
  await recordAudit(
    {
      actor: 'jawth',
      action: 'application.webhook_disabled',
      app: app.name,
      target: webhookId,
      outcome: 'success',
      detail: { reason },
    },
    deps,
  );
  await enqueueEvent(deps, undefined, app, 'webhook.disabled', { webhook: webhookId, reason });
}

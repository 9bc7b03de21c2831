import crypto from 'node:crypto';
import type { Transaction } from '../db/transaction';
import type { DataStore } from '../db/store';
import { publish, subscribe } from '../db/database';
import type { WebhookEventType } from '../schemas/webhook.schema';
import { open, seal, WEBHOOK_PAYLOADS } from '../crypto/secret-box';
import type { Deps } from './deps';

/** The topic the workers of this process listen to on a database, told at once when a delivery is queued. */
const DELIVERY_DUE = 'webhook_delivery_due';

/** Calls `listener` after each enqueue on `db` in this process (once committed); returns an unsubscribe. */
export function onEnqueue(db: DataStore['db'], listener: () => void): () => void {
  return subscribe(db, DELIVERY_DUE, listener);
}

/** Tells this process's workers that a delivery is due now (queued, or sent again by an admin). */
export function nudgeWorkers(db: DataStore['db']): void {
  publish(db, DELIVERY_DUE);
}

/** A `webhook-id`: the same on every attempt of one delivery, so that receivers deduplicate. */
export function newMessageId(): string {
  return `msg_${crypto.randomBytes(16).toString('base64url')}`;
}

/**
 * Events whose data carries a one-use token (a confirmation or a reset): their queued payload is
 * sealed with a key derived from SECRET_KEY, so that the outbox (and the database's `-wal`, a
 * backup) holds no usable link; only the sender opens it (see storedPayload).
 */
const TOKEN_EVENTS = new Set<string>(['user.signup_confirmation_requested', 'user.recovery_requested']);

/** What the outbox stores of a payload: the JSON itself, or sealed for a token-carrying event. */
export function storedPayload(type: string, payload: string, deps: Pick<Deps, 'config'>): string {
  return TOKEN_EVENTS.has(type) ? seal(payload, deps.config.secretKey, WEBHOOK_PAYLOADS) : payload;
}

/** The JSON a stored payload stands for: a sealed one is opened (JSON always starts with `{`). */
export function sentPayload(stored: string, deps: Pick<Deps, 'config'>): string {
  return stored.startsWith('{') ? stored : open(stored, deps.config.secretKey, WEBHOOK_PAYLOADS);
}

/** The body every attempt of a delivery sends: `{"type", "timestamp", "data"}`. */
export function eventPayload(type: string, at: Date, app: { name: string }, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data: { app: app.name, ...data } });
}

/**
 * Queues `type` for every endpoint of `app` that subscribes to it, in `transaction` when the
 * change has one: the delivery exists if and only if the change was committed (an outbox), and a
 * crash after the commit loses nothing. `data` names the user (`uid`, `username`) and never
 * carries a password, a hash or a token. Costs one query when the application has no endpoint
 * for the event, which is why only the rarer events call it, never a token's issuance.
 */
export async function enqueueEvent(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'webhooks' | 'deliveries'>,
  transaction: Transaction | undefined,
  app: { id: number; name: string },
  type: WebhookEventType,
  data: Record<string, unknown>,
): Promise<void> {
  const hooks = await deps.webhooks.subscribed(app.id, type, transaction);
  if (hooks.length === 0) return;
  const createdAt = deps.clock.now();
  const payload = storedPayload(type, eventPayload(type, createdAt, app, data), deps);
  for (const webhookId of hooks) {
    await deps.deliveries.insert({ messageId: newMessageId(), webhookId, type, payload, createdAt }, transaction);
  }
  if (transaction) transaction.afterCommit(() => nudgeWorkers(deps.db));
  else nudgeWorkers(deps.db);
}

/** Queues one delivery to one endpoint, whatever it subscribes to (the console's test event). */
export async function enqueueTo(
  deps: Pick<Deps, 'db' | 'clock' | 'deliveries'>,
  webhookId: string,
  app: { name: string },
  type: string,
  data: Record<string, unknown>,
): Promise<{ messageId: string; createdAt: Date }> {
  const createdAt = deps.clock.now();
  const messageId = newMessageId();
  const payload = eventPayload(type, createdAt, app, data);
  await deps.deliveries.insert({ messageId, webhookId, type, payload, createdAt });
  nudgeWorkers(deps.db);
  return { messageId, createdAt };
}

/**
 * `user.locked_out`: the brute-force limiter just locked (application, username, IP), or wrong
 * codes locked the user's second factor (`second_factor: true`). Read only then (an application
 * and a user by name), never on a login's way.
 */
export async function userLockedOut(
  appName: string,
  username: string,
  ip: string,
  deps: Pick<Deps, 'db' | 'clock' | 'caches' | 'users' | 'config' | 'deliveries' | 'webhooks'>,
  detail: { second_factor?: true } = {},
): Promise<void> {
  const app = await deps.caches.applications.find(appName);
  if (!app) return;
  const user = await deps.users.findByName(app.id, username);
  if (!user) return;
  await enqueueEvent(deps, undefined, app, 'user.locked_out', {
    uid: user.uid,
    username: user.username,
    ip,
    ...detail,
  });
}

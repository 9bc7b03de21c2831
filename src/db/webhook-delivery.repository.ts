import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { bindToDb } from './database';
import { inTransaction } from './transaction';

/**
 * The webhook outbox in raw SQL: one row per (event, endpoint), written in the transaction of
 * the change; claimed by one worker at a time under a lease; its attempts beside it.
 */

/** `skipped`: an admin took it out of the queue; `failed`: given up (or refused for good by the receiver). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

export interface DeliveryRecord {
  id: number;
  messageId: string;
  webhookId: string;
  type: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
  finishedAt: Date | null;
}

/** A claimed delivery with what sending it takes. */
export interface ClaimedDelivery extends DeliveryRecord {
  payload: string;
  url: string;
  secretSealed: string;
  leaseOwner: string;
}

export interface AttemptRecord {
  deliveryId: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

type Row = Record<string, unknown>;

const COLUMNS =
  'd.id, d.message_id, d.webhook_id, d.type, d.status, d.attempts, d.next_attempt_at, d.created_at, d.finished_at';

function record(row: Row): DeliveryRecord {
  return {
    id: Number(row.id),
    messageId: String(row.message_id),
    webhookId: String(row.webhook_id),
    type: String(row.type),
    status: String(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: new Date(Number(row.next_attempt_at)),
    createdAt: new Date(Number(row.created_at)),
    finishedAt: row.finished_at === null ? null : new Date(Number(row.finished_at)),
  };
}

async function insertDelivery(
  db: Sequelize,
  delivery: { messageId: string; webhookId: string; type: string; payload: string; createdAt: Date },
  transaction?: Transaction,
): Promise<void> {
  const at = delivery.createdAt.getTime();
  await db.query(
    `INSERT INTO webhook_deliveries (message_id, webhook_id, type, payload, status, attempts, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)`,
    { bind: [delivery.messageId, delivery.webhookId, delivery.type, delivery.payload, at], transaction },
  );
}

/**
 * What may be sent now, of one endpoint's pending deliveries: the head of its queue (its oldest
 * pending delivery still in line) when due, and any due delivery set aside. A delivery is in
 * line for its first `$4` attempts: while it is retried, the events after it wait, so that an
 * endpoint sees a user's events in order; past them it is set aside (retried on its own
 * schedule) and the queue goes on. Endpoints that are disabled send nothing.
 */
/** The attempts a delivery stays in line for (docs/api.md, Webhooks): about 15 s at WEBHOOK_RETRY_BASE 5s. */
export const IN_LINE_ATTEMPTS = 3;

const SENDABLE = `d.status = 'pending' AND d.next_attempt_at <= $3 AND (d.attempts >= $4 OR NOT EXISTS (
    SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.status = 'pending' AND e.attempts < $4 AND e.id < d.id))`;

/**
 * Whether any delivery is due (a read): each process polls every second, and on SQLite a claim
 * is a write even when it finds nothing, so the claim runs only when this finds something.
 */
async function anyDue(db: Sequelize, now: Date): Promise<boolean> {
  const rows = await db.query<Row>(
    `SELECT 1 AS due FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
     WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.disabled_at IS NULL
       AND (w.lease_until IS NULL OR w.lease_until <= $1) LIMIT 1`,
    { bind: [now.getTime()], type: QueryTypes.SELECT },
  );
  return rows.length > 0;
}

/**
 * Claims one sendable delivery for `owner` until `leaseUntil`. First the endpoint, by one
 * conditional UPDATE of its lease: on SQLite a statement runs alone; on PostgreSQL the candidate
 * is locked with FOR UPDATE SKIP LOCKED and the outer conditions are checked again on the row as
 * it is after a concurrent claim. So one worker at a time holds an endpoint, and sends it one
 * delivery at a time. Then, under that lease, its delivery: the head of its line before those
 * set aside.
 */
async function claimDelivery(
  db: Sequelize,
  now: Date,
  leaseUntil: Date,
  owner: string,
  inLineAttempts = IN_LINE_ATTEMPTS,
): Promise<ClaimedDelivery | null> {
  const skipLocked = db.getDialect() === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
  const free = '(lease_until IS NULL OR lease_until <= $3)';
  const endpoint = await db.query<Row>(
    `UPDATE webhooks SET lease_until = $1, lease_owner = $2
     WHERE id = (SELECT w.id FROM webhooks w WHERE w.disabled_at IS NULL AND (w.lease_until IS NULL OR w.lease_until <= $3)
         AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id AND ${SENDABLE})
         ORDER BY w.id LIMIT 1 ${skipLocked})
       AND disabled_at IS NULL AND ${free}
     RETURNING id`,
    { bind: [leaseUntil.getTime(), owner, now.getTime(), inLineAttempts], type: QueryTypes.SELECT },
  );
  if (endpoint.length === 0) return null;
  const webhookId = String(endpoint[0].id);
  const claimed = await db.query<Row>(
    `UPDATE webhook_deliveries SET lease_until = $1, lease_owner = $2
     WHERE id = (SELECT d.id FROM webhook_deliveries d WHERE d.webhook_id = $5 AND ${SENDABLE}
         ORDER BY CASE WHEN d.attempts >= $4 THEN 1 ELSE 0 END, d.id LIMIT 1)
     RETURNING id`,
    { bind: [leaseUntil.getTime(), owner, now.getTime(), inLineAttempts, webhookId], type: QueryTypes.SELECT },
  );
  const rows = claimed.length
    ? await db.query<Row>(
        `SELECT ${COLUMNS}, d.payload, d.lease_owner, w.url, w.secret_sealed
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1 AND d.lease_owner = $2`,
        { bind: [claimed[0].id, owner], type: QueryTypes.SELECT },
      )
    : [];
  const row = rows[0];
  if (!row) {
    // Sent or skipped meanwhile by a lease that had lapsed, or the endpoint deleted: nothing here.
    await releaseEndpoint(db, webhookId, owner);
    return null;
  }
  return {
    ...record(row),
    payload: String(row.payload),
    url: String(row.url),
    secretSealed: String(row.secret_sealed),
    leaseOwner: owner,
  };
}

async function releaseEndpoint(db: Sequelize, webhookId: string, owner: string, transaction?: Transaction) {
  await db.query('UPDATE webhooks SET lease_until = NULL, lease_owner = NULL WHERE id = $1 AND lease_owner = $2', {
    bind: [webhookId, owner],
    transaction,
  });
}

/**
 * Records one attempt and what follows it: delivered, failed for good, or pending again at
 * `nextAttemptAt`; and on the endpoint, since when it has been failing (cleared by a delivery).
 * The state changes only while `owner` still holds the lease; a worker whose lease expired
 * mid-attempt records its attempt but leaves the delivery to its new owner. Answers since when
 * the endpoint has been failing (null: it is not).
 */
async function finishAttempt(
  db: Sequelize,
  delivery: { id: number; webhookId: string; leaseOwner: string },
  attempt: AttemptRecord,
  next: { status: DeliveryStatus; nextAttemptAt: Date },
): Promise<Date | null> {
  return inTransaction(db, async (transaction) => {
    await db.query(
      'INSERT INTO webhook_attempts (delivery_id, at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)',
      {
        bind: [delivery.id, attempt.at.getTime(), attempt.statusCode, attempt.error, attempt.durationMs],
        transaction,
      },
    );
    const finishedAt = next.status === 'pending' ? null : attempt.at.getTime();
    await db.query(
      `UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, finished_at = $3,
         lease_until = NULL, lease_owner = NULL
       WHERE id = $4 AND lease_owner = $5`,
      { bind: [next.status, next.nextAttemptAt.getTime(), finishedAt, delivery.id, delivery.leaseOwner], transaction },
    );
    // Delivered: the endpoint is not failing; else it has been since its first failure in a row.
    const delivered = next.status === 'delivered';
    const rows = await db.query<Row>(
      `UPDATE webhooks SET failing_since = ${delivered ? 'NULL' : 'COALESCE(failing_since, $3)'},
         lease_until = NULL, lease_owner = NULL
       WHERE id = $1 AND lease_owner = $2 RETURNING failing_since`,
      {
        bind: [delivery.webhookId, delivery.leaseOwner, ...(delivered ? [] : [attempt.at.getTime()])],
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    const since = rows[0]?.failing_since;
    return since === null || since === undefined ? null : new Date(Number(since));
  });
}

/** Gives a claimed delivery back untried (a worker stopping): any worker may take it at once. */
async function releaseDelivery(
  db: Sequelize,
  delivery: { id: number; webhookId: string; leaseOwner: string },
): Promise<void> {
  await db.query(
    'UPDATE webhook_deliveries SET lease_until = NULL, lease_owner = NULL WHERE id = $1 AND lease_owner = $2',
    { bind: [delivery.id, delivery.leaseOwner] },
  );
  await releaseEndpoint(db, delivery.webhookId, delivery.leaseOwner);
}

/**
 * An admin's hand on one delivery, when no attempt of it is in flight: `skip` takes a pending one
 * out of the queue (the queue goes on); `send` queues one in an `allowed` state for an attempt
 * now (a retry, a replay), at the head of its line again with a fresh backoff. 'done'; else why
 * not: 'busy' (an attempt holds it), the state it is in, or null (the endpoint has no such one).
 */
async function handDelivery(
  db: Sequelize,
  webhookId: string,
  messageId: string,
  action: 'skip' | 'send',
  allowed: DeliveryStatus[],
  now: Date,
): Promise<'done' | 'busy' | DeliveryStatus | null> {
  const at = now.getTime();
  const states = allowed.map((_, i) => `$${i + 4}`).join(', ');
  const change =
    action === 'skip'
      ? "status = 'skipped', finished_at = $3"
      : "status = 'pending', finished_at = NULL, next_attempt_at = $3, attempts = 0";
  const result: unknown = await db.query(
    `UPDATE webhook_deliveries SET ${change}
     WHERE webhook_id = $1 AND message_id = $2 AND (lease_until IS NULL OR lease_until <= $3) AND status IN (${states})`,
    { bind: [webhookId, messageId, at, ...allowed], type: QueryTypes.BULKUPDATE },
  );
  if (Number(result) === 1) return 'done';
  const [row] = await db.query<Row>(
    'SELECT status, lease_until FROM webhook_deliveries WHERE webhook_id = $1 AND message_id = $2',
    { bind: [webhookId, messageId], type: QueryTypes.SELECT },
  );
  if (!row) return null;
  return row.lease_until !== null && Number(row.lease_until) > at ? 'busy' : (String(row.status) as DeliveryStatus);
}

/** One delivery of an endpoint with its attempts, or null. */
async function findDelivery(db: Sequelize, webhookId: string, messageId: string) {
  const rows = await db.query<Row>(
    'SELECT d.id FROM webhook_deliveries d WHERE d.webhook_id = $1 AND d.message_id = $2',
    {
      bind: [webhookId, messageId],
      type: QueryTypes.SELECT,
    },
  );
  if (!rows[0]) return null;
  const { items } = await listDeliveries(db, webhookId, 1, 0, Number(rows[0].id));
  return items[0] ?? null;
}

/** Deletes deliveries finished (delivered or given up) before `cutoff`, with their attempts; how many. */
async function purgeFinishedDeliveries(db: Sequelize, cutoff: Date): Promise<number> {
  const result: unknown = await db.query(
    "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND finished_at < $1",
    { bind: [cutoff.getTime()], type: QueryTypes.BULKDELETE },
  );
  return Number(result);
}

/** One endpoint's deliveries, newest first, with the total, and each one's attempts in order. */
async function listDeliveries(
  db: Sequelize,
  webhookId: string,
  limit: number,
  offset: number,
  onlyId?: number,
): Promise<{ total: number; items: (DeliveryRecord & { attemptList: AttemptRecord[] })[] }> {
  const [count] = await db.query<Row>('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = $1', {
    bind: [webhookId],
    type: QueryTypes.SELECT,
  });
  const only = onlyId === undefined ? '' : 'AND d.id = $4';
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM webhook_deliveries d WHERE d.webhook_id = $1 ${only} ORDER BY d.id DESC LIMIT $2 OFFSET $3`,
    { bind: [webhookId, limit, offset, ...(onlyId === undefined ? [] : [onlyId])], type: QueryTypes.SELECT },
  );
  const deliveries = rows.map(record);
  const attempts = deliveries.length
    ? await db.query<Row>(
        `SELECT delivery_id, at, status_code, error, duration_ms FROM webhook_attempts
         WHERE delivery_id IN (${deliveries.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY id`,
        { bind: deliveries.map((d) => d.id), type: QueryTypes.SELECT },
      )
    : [];
  const items = deliveries.map((delivery) => ({
    ...delivery,
    attemptList: attempts
      .filter((a) => Number(a.delivery_id) === delivery.id)
      .map((a) => ({
        deliveryId: delivery.id,
        at: new Date(Number(a.at)),
        statusCode: a.status_code === null ? null : Number(a.status_code),
        error: a.error === null ? null : String(a.error),
        durationMs: Number(a.duration_ms),
      })),
  }));
  return { total: Number(count.n), items };
}

/** The webhook deliveries and their attempts on one connection (`deps.deliveries`, made in storeOf). */
export const deliveryRepository = (db: Sequelize) =>
  bindToDb(db, {
    insert: insertDelivery,
    anyDue,
    claim: claimDelivery,
    finishAttempt,
    release: releaseDelivery,
    hand: handDelivery,
    find: findDelivery,
    purgeFinished: purgeFinishedDeliveries,
    list: listDeliveries,
  });
export type DeliveryRepository = ReturnType<typeof deliveryRepository>;

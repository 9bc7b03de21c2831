import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { inTransaction } from './transaction';

/**
 * The webhook outbox in raw SQL: one row per (event, endpoint), written in the transaction of
 * the change; claimed by one worker at a time under a lease; its attempts beside it.
 */

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

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

export async function insertDelivery(
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
 * Only the head of an endpoint's queue may be claimed (its oldest pending delivery), and only
 * when it is due and nobody holds its lease: one delivery at a time per endpoint, in order.
 */
const CLAIMABLE = `d.status = 'pending' AND d.next_attempt_at <= $3 AND (d.lease_until IS NULL OR d.lease_until <= $3)
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.status = 'pending' AND e.id < d.id)`;

/**
 * Whether any delivery is due (a read): each process polls every second, and on SQLite a claim
 * is a write even when it finds nothing, so the claim runs only when this finds something.
 */
export async function anyDue(db: Sequelize, now: Date): Promise<boolean> {
  const rows = await db.query<Row>(
    `SELECT 1 AS due FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
       AND (lease_until IS NULL OR lease_until <= $1) LIMIT 1`,
    { bind: [now.getTime()], type: QueryTypes.SELECT },
  );
  return rows.length > 0;
}

/**
 * Claims one due delivery for `owner` until `leaseUntil`, by one conditional UPDATE: on SQLite
 * a statement runs alone, so two claimers never get the same row; on PostgreSQL the candidate is
 * locked with FOR UPDATE SKIP LOCKED, so concurrent claimers pass over each other's rows, and the
 * outer conditions are checked again on the row as it is after any concurrent claim.
 */
export async function claimDelivery(
  db: Sequelize,
  now: Date,
  leaseUntil: Date,
  owner: string,
): Promise<ClaimedDelivery | null> {
  const skipLocked = db.getDialect() === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
  const claimed = await db.query<Row>(
    `UPDATE webhook_deliveries SET lease_until = $1, lease_owner = $2
     WHERE id = (SELECT d.id FROM webhook_deliveries d WHERE ${CLAIMABLE} ORDER BY d.next_attempt_at, d.id LIMIT 1 ${skipLocked})
       AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $3)
     RETURNING id`,
    { bind: [leaseUntil.getTime(), owner, now.getTime()], type: QueryTypes.SELECT },
  );
  if (claimed.length === 0) return null;
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS}, d.payload, d.lease_owner, w.url, w.secret_sealed
     FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1 AND d.lease_owner = $2`,
    { bind: [claimed[0].id, owner], type: QueryTypes.SELECT },
  );
  const row = rows[0];
  if (!row) return null; // its endpoint was deleted in between
  return {
    ...record(row),
    payload: String(row.payload),
    url: String(row.url),
    secretSealed: String(row.secret_sealed),
    leaseOwner: owner,
  };
}

/**
 * Records one attempt and what follows it: delivered, failed for good, or pending again at
 * `nextAttemptAt`. The state changes only while `owner` still holds the lease; a worker whose
 * lease expired mid-attempt records its attempt but leaves the delivery to its new owner.
 */
export async function finishAttempt(
  db: Sequelize,
  delivery: { id: number; leaseOwner: string },
  attempt: AttemptRecord,
  next: { status: DeliveryStatus; nextAttemptAt: Date },
): Promise<void> {
  await inTransaction(db, async (transaction) => {
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
  });
}

/** Gives a claimed delivery back untried (a worker stopping): any worker may take it at once. */
export async function releaseDelivery(db: Sequelize, delivery: { id: number; leaseOwner: string }): Promise<void> {
  await db.query(
    'UPDATE webhook_deliveries SET lease_until = NULL, lease_owner = NULL WHERE id = $1 AND lease_owner = $2',
    {
      bind: [delivery.id, delivery.leaseOwner],
    },
  );
}

/** Deletes deliveries finished (delivered or given up) before `cutoff`, with their attempts; how many. */
export async function purgeFinishedDeliveries(db: Sequelize, cutoff: Date): Promise<number> {
  const result: unknown = await db.query(
    "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND finished_at < $1",
    { bind: [cutoff.getTime()], type: QueryTypes.BULKDELETE },
  );
  return Number(result);
}

/** One endpoint's deliveries, newest first, with the total, and each one's attempts in order. */
export async function listDeliveries(
  db: Sequelize,
  webhookId: string,
  limit: number,
  offset: number,
): Promise<{ total: number; items: (DeliveryRecord & { attemptList: AttemptRecord[] })[] }> {
  const [count] = await db.query<Row>('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = $1', {
    bind: [webhookId],
    type: QueryTypes.SELECT,
  });
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM webhook_deliveries d WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2 OFFSET $3`,
    { bind: [webhookId, limit, offset], type: QueryTypes.SELECT },
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

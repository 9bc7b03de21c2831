import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { bindToDb } from './database';

/** An application's webhook endpoints in raw SQL; the signing secret only sealed (secret-box). */

export interface WebhookRecord {
  id: string;
  applicationId: number;
  url: string;
  events: string[];
  createdAt: Date;
  updatedAt: Date;
  /** Set while the endpoint is turned off: nothing is queued for it or sent to it. */
  disabledAt: Date | null;
  disabledReason: string | null;
}

type Row = Record<string, unknown>;

const COLUMNS = 'id, application_id, url, events, created_at, updated_at, disabled_at, disabled_reason';

function record(row: Row): WebhookRecord {
  return {
    id: String(row.id),
    applicationId: Number(row.application_id),
    url: String(row.url),
    events: String(row.events).split(' ').filter(Boolean),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    disabledAt: row.disabled_at === null || row.disabled_at === undefined ? null : new Date(Number(row.disabled_at)),
    disabledReason:
      row.disabled_reason === null || row.disabled_reason === undefined ? null : String(row.disabled_reason),
  };
}

async function insertWebhook(
  db: Sequelize,
  hook: Omit<WebhookRecord, 'disabledAt' | 'disabledReason'> & { secretSealed: string },
): Promise<void> {
  await db.query(
    'INSERT INTO webhooks (id, application_id, url, events, secret_sealed, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    {
      bind: [
        hook.id,
        hook.applicationId,
        hook.url,
        hook.events.join(' '),
        hook.secretSealed,
        hook.createdAt.getTime(),
        hook.updatedAt.getTime(),
      ],
    },
  );
}

/** The application's endpoints, oldest first. */
async function listWebhooks(db: Sequelize, applicationId: number): Promise<WebhookRecord[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM webhooks WHERE application_id = $1 ORDER BY created_at, id`,
    { bind: [applicationId], type: QueryTypes.SELECT },
  );
  return rows.map(record);
}

async function findWebhook(db: Sequelize, applicationId: number, id: string): Promise<WebhookRecord | null> {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM webhooks WHERE application_id = $1 AND id = $2`, {
    bind: [applicationId, id],
    type: QueryTypes.SELECT,
  });
  return rows[0] ? record(rows[0]) : null;
}

/**
 * Changes the URL, events and state of one endpoint; whether it existed. Turning it back on
 * forgets its failures, so that it gets WEBHOOK_DISABLE_AFTER again before the next disable.
 */
async function updateWebhook(db: Sequelize, hook: Omit<WebhookRecord, 'createdAt'>): Promise<boolean> {
  const result: unknown = await db.query(
    `UPDATE webhooks SET url = $1, events = $2, updated_at = $3, disabled_at = $6, disabled_reason = $7
       ${hook.disabledAt === null ? ', failing_since = NULL' : ''}
     WHERE application_id = $4 AND id = $5`,
    {
      bind: [
        hook.url,
        hook.events.join(' '),
        hook.updatedAt.getTime(),
        hook.applicationId,
        hook.id,
        hook.disabledAt?.getTime() ?? null,
        hook.disabledReason,
      ],
      type: QueryTypes.BULKUPDATE,
    },
  );
  return Number(result) === 1;
}

/** Turns an endpoint off with its reason; false when it was off already (or is gone). */
async function disableWebhook(db: Sequelize, id: string, reason: string, at: Date): Promise<boolean> {
  const result: unknown = await db.query(
    'UPDATE webhooks SET disabled_at = $1, disabled_reason = $2 WHERE id = $3 AND disabled_at IS NULL',
    { bind: [at.getTime(), reason.slice(0, 300), id], type: QueryTypes.BULKUPDATE },
  );
  return Number(result) === 1;
}

/** Deletes one endpoint with its deliveries (cascade); whether it existed. */
async function deleteWebhook(db: Sequelize, applicationId: number, id: string): Promise<boolean> {
  const result: unknown = await db.query('DELETE FROM webhooks WHERE application_id = $1 AND id = $2', {
    bind: [applicationId, id],
    type: QueryTypes.BULKDELETE,
  });
  return Number(result) === 1;
}

/** The application's endpoints that subscribe to `type`, read in the caller's transaction. */
async function subscribedWebhooks(
  db: Sequelize,
  applicationId: number,
  type: string,
  transaction?: Transaction,
): Promise<string[]> {
  // A disabled endpoint gets nothing queued: its receiver is gone, or an admin turned it off.
  const rows = await db.query<Row>(
    'SELECT id, events FROM webhooks WHERE application_id = $1 AND disabled_at IS NULL ORDER BY id',
    {
      bind: [applicationId],
      type: QueryTypes.SELECT,
      transaction,
    },
  );
  return rows.filter((row) => String(row.events).split(' ').includes(type)).map((row) => String(row.id));
}

/** The application an endpoint belongs to (its id and name), or null when it is gone. */
async function applicationOfWebhook(db: Sequelize, webhookId: string): Promise<{ id: number; name: string } | null> {
  const rows = await db.query<Row>(
    'SELECT a.id, a.name FROM webhooks w JOIN applications a ON a.id = w.application_id WHERE w.id = $1',
    { bind: [webhookId], type: QueryTypes.SELECT },
  );
  return rows[0] ? { id: Number(rows[0].id), name: String(rows[0].name) } : null;
}

/** An application's webhook endpoints on one connection (`deps.webhooks`, made in storeOf). */
export const webhookRepository = (db: Sequelize) =>
  bindToDb(db, {
    insert: insertWebhook,
    list: listWebhooks,
    find: findWebhook,
    update: updateWebhook,
    disable: disableWebhook,
    delete: deleteWebhook,
    subscribed: subscribedWebhooks,
    applicationOf: applicationOfWebhook,
  });
export type WebhookRepository = ReturnType<typeof webhookRepository>;

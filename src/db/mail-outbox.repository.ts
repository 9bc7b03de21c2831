import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { bindToDb } from './database';

/**
 * The mail outbox in raw SQL (migration 0016): a row per account mail, written in the
 * transaction that made its token, claimed by one sender at a time under a lease.
 */

/** The account mails (services/mail-templates.ts's MailKind) and the sign-up notice. */
export type QueuedMailKind = 'confirm' | 'recover' | 'signup_notice';
export type MailStatus = 'pending' | 'sent' | 'failed';

export interface QueuedMail {
  applicationId: number;
  /** Null for a mail to an address that no account of the application holds. */
  userId: number | null;
  kind: QueuedMailKind;
  recipient: string;
  contentSealed: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A claimed mail with what sending it takes. */
export interface ClaimedMail {
  id: number;
  kind: QueuedMailKind;
  recipient: string;
  contentSealed: string;
  attempts: number;
  expiresAt: Date;
  leaseOwner: string;
}

type Row = Record<string, unknown>;

async function insertMail(db: Sequelize, mail: QueuedMail, transaction?: Transaction): Promise<number> {
  const at = mail.createdAt.getTime();
  // As an INSERT, Sequelize answers [rows RETURNING gave, count] on PostgreSQL, [last id, count] on SQLite.
  const [result] = (await db.query(
    `INSERT INTO mail_outbox (application_id, user_id, kind, recipient, content_sealed, status, attempts,
       next_attempt_at, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $6) RETURNING id`,
    {
      bind: [
        mail.applicationId,
        mail.userId,
        mail.kind,
        mail.recipient,
        mail.contentSealed,
        at,
        mail.expiresAt.getTime(),
      ],
      type: QueryTypes.INSERT,
      transaction,
    },
  )) as unknown as [Row[] | number, number];
  return Number(Array.isArray(result) ? result[0].id : result);
}

/** Whether any mail is due (a read, so that an idle poll writes nothing on SQLite). */
async function anyMailDue(db: Sequelize, now: Date): Promise<boolean> {
  const rows = await db.query<Row>(
    `SELECT 1 AS due FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= $1
       AND (lease_until IS NULL OR lease_until <= $1) LIMIT 1`,
    { bind: [now.getTime()], type: QueryTypes.SELECT },
  );
  return rows.length > 0;
}

/**
 * Claims one due mail (the oldest, or the one `id` names) for `owner` until `leaseUntil`, by
 * one conditional UPDATE: on SQLite a statement runs alone; on PostgreSQL the candidate is
 * locked with FOR UPDATE SKIP LOCKED and the conditions are checked again on the row as a
 * concurrent claim left it. So a mail is in one sender's hands at a time, and sent once.
 */
async function claimMail(
  db: Sequelize,
  now: Date,
  leaseUntil: Date,
  owner: string,
  id?: number,
): Promise<ClaimedMail | null> {
  const skipLocked = db.getDialect() === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
  const due = `status = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)`;
  const rows = await db.query<Row>(
    `UPDATE mail_outbox SET lease_until = $1, lease_owner = $2
     WHERE id = (SELECT id FROM mail_outbox WHERE ${due} ${id === undefined ? '' : 'AND id = $4'}
         ORDER BY id LIMIT 1 ${skipLocked})
       AND ${due}
     RETURNING id, kind, recipient, content_sealed, attempts, expires_at`,
    {
      bind: [leaseUntil.getTime(), owner, now.getTime(), ...(id === undefined ? [] : [id])],
      type: QueryTypes.SELECT,
    },
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    kind: String(row.kind) as QueuedMailKind,
    recipient: String(row.recipient),
    contentSealed: String(row.content_sealed),
    attempts: Number(row.attempts),
    expiresAt: new Date(Number(row.expires_at)),
    leaseOwner: owner,
  };
}

/**
 * Records an attempt: sent or failed for good (the content cleared), or pending again at
 * `nextAttemptAt`. Changes nothing unless `owner` still holds the lease.
 */
async function finishMailAttempt(
  db: Sequelize,
  mail: { id: number; leaseOwner: string },
  at: Date,
  next: { status: MailStatus; nextAttemptAt: Date; error: string | null },
): Promise<void> {
  const finished = next.status === 'pending' ? null : at.getTime();
  await db.query(
    `UPDATE mail_outbox SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3,
       finished_at = $4, content_sealed = ${finished === null ? 'content_sealed' : "''"},
       lease_until = NULL, lease_owner = NULL
     WHERE id = $5 AND lease_owner = $6`,
    { bind: [next.status, next.nextAttemptAt.getTime(), next.error, finished, mail.id, mail.leaseOwner] },
  );
}

/** Deletes mails sent or given up before `cutoff`. */
async function purgeFinishedMails(db: Sequelize, cutoff: Date): Promise<number> {
  const rows = await db.query<Row>(
    `DELETE FROM mail_outbox WHERE status <> 'pending' AND finished_at < $1 RETURNING id`,
    { bind: [cutoff.getTime()], type: QueryTypes.SELECT },
  );
  return rows.length;
}

/** The mails waiting for the SMTP server on one connection (`deps.mailOutbox`, made in storeOf). */
export const mailOutboxRepository = (db: Sequelize) =>
  bindToDb(db, {
    insert: insertMail,
    anyDue: anyMailDue,
    claim: claimMail,
    finishAttempt: finishMailAttempt,
    purgeFinished: purgeFinishedMails,
  });
export type MailOutboxRepository = ReturnType<typeof mailOutboxRepository>;

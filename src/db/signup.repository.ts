import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { bindToDb } from './database';

/**
 * What a sign-up needs to know of the users already there, in raw SQL. An account is
 * *unconfirmed* while it is disabled and holds a confirmation token (a `confirm` one-use token): a sign-up in `confirm` mode
 * not yet followed. An admin who disables, enables or otherwise changes the account voids that
 * token (docs/api.md, Sign-up, confirmation and recovery), and the account is then an ordinary one.
 */
export interface SignupHolder {
  id: number;
  uid: string;
  username: string;
  email: string | null;
  /** Holds the username asked for (usernames compare exactly). */
  hasUsername: boolean;
  /** Holds the address asked for (addresses compare ignoring case). */
  hasEmail: boolean;
  unconfirmed: boolean;
}

/** The users of the application holding this username or this address (at most two). */
async function signupHolders(
  db: Sequelize,
  applicationId: number,
  username: string,
  email: string | undefined,
  transaction?: Transaction,
): Promise<SignupHolder[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT u.id, u.uid, u.username, u.email, u.disabled,
            EXISTS (SELECT 1 FROM one_use_tokens t WHERE t.user_id = u.id AND t.purpose = 'confirm') AS pending
       FROM users u
      WHERE u.application_id = $1 AND (u.username = $2 OR lower(u.email) = $3)`,
    { bind: [applicationId, username, email?.toLowerCase() ?? null], type: QueryTypes.SELECT, transaction },
  );
  return rows.map((row) => ({
    id: Number(row.id),
    uid: String(row.uid),
    username: String(row.username),
    email: row.email === null ? null : String(row.email),
    hasUsername: row.username === username,
    hasEmail: email !== undefined && typeof row.email === 'string' && row.email.toLowerCase() === email.toLowerCase(),
    unconfirmed: Boolean(row.disabled) && Boolean(row.pending),
  }));
}

/** Whether the user is unconfirmed, as SQL on `users u` (disabled, a confirmation token pending). */
const UNCONFIRMED = `u.disabled = $2 AND EXISTS (SELECT 1 FROM one_use_tokens t WHERE t.user_id = u.id AND t.purpose = 'confirm')`;

/** Whether this user is unconfirmed (a sign-up whose link was not followed yet). */
async function isUnconfirmed(db: Sequelize, userId: number, transaction?: Transaction): Promise<boolean> {
  const rows = await db.query(`SELECT 1 AS yes FROM users u WHERE u.id = $1 AND ${UNCONFIRMED}`, {
    bind: [userId, true],
    type: QueryTypes.SELECT,
    transaction,
  });
  return rows.length > 0;
}

/**
 * Deletes these users if they are still unconfirmed (a sign-up replacing them); their tokens go
 * with them. Returns the ids deleted.
 */
async function deleteUnconfirmed(db: Sequelize, ids: number[], transaction: Transaction): Promise<number[]> {
  const deleted: number[] = [];
  for (const id of ids) {
    const sql = `DELETE FROM users WHERE id IN (SELECT u.id FROM users u WHERE u.id = $1 AND ${UNCONFIRMED})`;
    const result: unknown = await db.query(sql, { bind: [id, true], type: QueryTypes.BULKDELETE, transaction });
    if (Number(result) === 1) deleted.push(id);
  }
  return deleted;
}

export interface ExpiredSignup {
  id: number;
  uid: string;
  username: string;
  applicationId: number;
  app: string;
}

/** Up to `limit` unconfirmed users whose confirmation link expired by `now`. */
async function expiredSignups(db: Sequelize, now: Date, limit: number): Promise<ExpiredSignup[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT u.id, u.uid, u.username, u.application_id, a.name AS app
       FROM users u JOIN applications a ON a.id = u.application_id
      WHERE u.disabled = $2
        AND EXISTS (SELECT 1 FROM one_use_tokens t WHERE t.user_id = u.id AND t.purpose = 'confirm' AND t.expires_at <= $1)
      ORDER BY u.id LIMIT ${Math.floor(limit)}`,
    { bind: [now.getTime(), true], type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    id: Number(row.id),
    uid: String(row.uid),
    username: String(row.username),
    applicationId: Number(row.application_id),
    app: String(row.app),
  }));
}

/** The sign-ups waiting for their confirmation on one connection (`deps.signups`, made in storeOf). */
export const signupRepository = (db: Sequelize) =>
  bindToDb(db, {
    holders: signupHolders,
    isUnconfirmed,
    deleteUnconfirmed,
    expired: expiredSignups,
  });
export type SignupRepository = ReturnType<typeof signupRepository>;

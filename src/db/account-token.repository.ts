import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/**
 * The one-use tokens of a sign-up confirmation and a password reset, in raw SQL. Only the SHA-256
 * of a token is stored; spending it is one conditional DELETE whose row count says whether this
 * request won, so that of concurrent uses exactly one does (as the mfa tokens of
 * second-factor.repository.ts).
 */
export type AccountTokenPurpose = 'confirm' | 'reset';

export interface AccountTokenRecord {
  id: number;
  purpose: AccountTokenPurpose;
  userId: number;
  expiresAt: number;
}

async function changed(db: Sequelize, sql: string, bind: unknown[], transaction?: Transaction): Promise<number> {
  const result: unknown = await db.query(sql, { bind, type: QueryTypes.BULKDELETE, transaction });
  return Number(result);
}

/** Stores a new token of the user, replacing the user's earlier ones of that purpose: only the latest mail works. */
export async function replaceAccountToken(
  db: Sequelize,
  token: { tokenHash: string; purpose: AccountTokenPurpose; userId: number; expiresAt: number; createdAt: number },
  transaction?: Transaction,
): Promise<void> {
  // Two replacements at once for one user (two recovery requests) would each delete what was
  // there and insert their own, leaving two valid links under PostgreSQL's READ COMMITTED: the
  // user's row, locked first, puts them one after the other. SQLite's IMMEDIATE transactions are
  // one after the other already.
  if (transaction && db.getDialect() === 'postgres')
    await db.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', { bind: [token.userId], transaction });
  await changed(
    db,
    'DELETE FROM account_tokens WHERE user_id = $1 AND purpose = $2',
    [token.userId, token.purpose],
    transaction,
  );
  await db.query(
    'INSERT INTO account_tokens (token_hash, purpose, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)',
    { bind: [token.tokenHash, token.purpose, token.userId, token.expiresAt, token.createdAt], transaction },
  );
}

export async function findAccountToken(db: Sequelize, tokenHash: string): Promise<AccountTokenRecord | null> {
  const rows = await db.query<Record<string, unknown>>(
    'SELECT id, purpose, user_id, expires_at FROM account_tokens WHERE token_hash = $1',
    { bind: [tokenHash], type: QueryTypes.SELECT },
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    purpose: row.purpose as AccountTokenPurpose,
    userId: Number(row.user_id),
    expiresAt: Number(row.expires_at),
  };
}

/** Spends a token still valid at `now`: of concurrent requests, the one whose DELETE removed the row. */
export async function spendAccountToken(db: Sequelize, id: number, now: Date, transaction?: Transaction) {
  const sql = 'DELETE FROM account_tokens WHERE id = $1 AND expires_at > $2';
  return (await changed(db, sql, [id, now.getTime()], transaction)) === 1;
}

/**
 * Drops every pending token of the user, confirmation and reset alike: a change of the user's
 * password, e-mail or `disabled` voids the links mailed before it (docs/api.md, Sign-up,
 * confirmation and recovery).
 */
export async function voidAccountTokens(db: Sequelize, userId: number, transaction?: Transaction): Promise<number> {
  return changed(db, 'DELETE FROM account_tokens WHERE user_id = $1', [userId], transaction);
}

/** Whether the user is disabled now, read in `transaction` (a reset checks it again as it writes). */
export async function isUserDisabled(db: Sequelize, userId: number, transaction?: Transaction): Promise<boolean> {
  const rows = await db.query<{ disabled: unknown }>('SELECT disabled FROM users WHERE id = $1', {
    bind: [userId],
    type: QueryTypes.SELECT,
    transaction,
  });
  return rows.length === 0 || Boolean(rows[0].disabled);
}

/** Drops the tokens that expired (periodic clean-up). */
export async function deleteExpiredAccountTokens(db: Sequelize, now: Date): Promise<number> {
  return changed(db, 'DELETE FROM account_tokens WHERE expires_at <= $1', [now.getTime()]);
}

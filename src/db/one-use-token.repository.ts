import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { bindToDb } from './database';

/**
 * Every one-use token in one table, `one_use_tokens`, keyed by purpose (as node-oidc-provider's
 * consumable tokens): only the SHA-256 of a token is stored, with its expiry, and spending it is
 * one conditional DELETE whose returned row says whether this request won, so that of concurrent
 * uses exactly one does. Times are epoch milliseconds.
 */
export const ONE_USE_PURPOSES = [
  /** The `jti` of a signed admin request, kept until its token expires (a replay is refused). */
  'admin_jti',
  /** A first-run setup link. */
  'admin_setup',
  /** Between a password and a second-factor code; `enrol`: the holder may only enrol a factor. */
  'mfa_login',
  'mfa_enrol',
  /** A sign-up's e-mail confirmation; a password reset. */
  'confirm',
  'reset',
] as const;

export type OneUsePurpose = (typeof ONE_USE_PURPOSES)[number];

/** What a purpose keeps beside the token (the mfa tokens' flow and ttl), stored as JSON. */
export type TokenData = Record<string, string | number | boolean | null>;

export interface OneUseToken {
  tokenHash: string;
  purpose: OneUsePurpose;
  /** Whose token: an application's user, an admin account, or no one (admin jtis, setup links). */
  userId: number | null;
  adminId: number | null;
  data: TokenData | null;
  expiresAt: number;
  createdAt: number;
}

export type NewOneUseToken = Pick<OneUseToken, 'tokenHash' | 'purpose' | 'expiresAt' | 'createdAt'> &
  Partial<Pick<OneUseToken, 'userId' | 'adminId' | 'data'>>;

const COLUMNS = 'token_hash, purpose, user_id, admin_account_id, data, expires_at, created_at';

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function toRecord(row: Record<string, unknown>): OneUseToken {
  return {
    tokenHash: String(row.token_hash),
    purpose: row.purpose as OneUsePurpose,
    userId: num(row.user_id),
    adminId: num(row.admin_account_id),
    data: row.data === null || row.data === undefined ? null : (JSON.parse(String(row.data)) as TokenData),
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}

const INSERT = `INSERT INTO one_use_tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`;

function bindOf(token: NewOneUseToken): unknown[] {
  const data = token.data ? JSON.stringify(token.data) : null;
  const owners = [token.userId ?? null, token.adminId ?? null];
  return [token.tokenHash, token.purpose, ...owners, data, token.expiresAt, token.createdAt];
}

/** `$from, $from+1, …` for an IN list of `count` values. */
const placeholders = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');

async function changed(db: Sequelize, sql: string, bind: unknown[], transaction?: Transaction): Promise<number> {
  const result: unknown = await db.query(sql, { bind, type: QueryTypes.BULKDELETE, transaction });
  return Number(result);
}

async function returning(db: Sequelize, sql: string, bind: unknown[], transaction?: Transaction) {
  const rows = await db.query<Record<string, unknown>>(sql, { bind, type: QueryTypes.SELECT, transaction });
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Stores a new token. */
export async function issueToken(db: Sequelize, token: NewOneUseToken, transaction?: Transaction): Promise<void> {
  await db.query(INSERT, { bind: bindOf(token), transaction });
}

/**
 * Stores a new token of its owner, replacing the owner's earlier ones of that purpose: only the
 * latest mail works.
 */
export async function replaceToken(db: Sequelize, token: NewOneUseToken, transaction?: Transaction): Promise<void> {
  const [column, table, ownerId] =
    token.userId != null ? ['user_id', 'users', token.userId] : ['admin_account_id', 'admin_accounts', token.adminId];
  if (ownerId == null) throw new Error(`a ${token.purpose} token replaces its owner's: it needs one`);
  // Two replacements at once for one owner (two recovery requests) would each delete what was
  // there and insert their own, leaving two valid links under PostgreSQL's READ COMMITTED: the
  // owner's row, locked first, puts them one after the other. SQLite's IMMEDIATE transactions are
  // one after the other already.
  if (transaction && db.getDialect() === 'postgres')
    await db.query(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE`, { bind: [ownerId], transaction });
  const sql = `DELETE FROM one_use_tokens WHERE ${column} = $1 AND purpose = $2`;
  await changed(db, sql, [ownerId, token.purpose], transaction);
  await issueToken(db, token, transaction);
}

/**
 * Stores the token unless a live one of this hash and purpose is there already: false then (an
 * admin request's jti seen before). The INSERT on the unique key is the check, so that of two
 * requests or two instances racing with one jti exactly one wins: no read-then-write.
 */
export async function issueTokenOnce(db: Sequelize, token: NewOneUseToken, now: Date): Promise<boolean> {
  // A row outliving its token guards nothing; dropping it lets a new token reuse the hash.
  const expired = 'DELETE FROM one_use_tokens WHERE token_hash = $1 AND purpose = $2 AND expires_at <= $3';
  await changed(db, expired, [token.tokenHash, token.purpose, now.getTime()]);
  // The row count (BULKDELETE: Sequelize answers it on either dialect) is 0 when the row was there.
  return (await changed(db, `${INSERT} ON CONFLICT (token_hash, purpose) DO NOTHING`, bindOf(token))) === 1;
}

/** The token of this hash and one of these purposes, expired or not (the caller says why it refuses). */
export async function findToken(
  db: Sequelize,
  tokenHash: string,
  purposes: readonly OneUsePurpose[],
  transaction?: Transaction,
): Promise<OneUseToken | null> {
  const sql = `SELECT ${COLUMNS} FROM one_use_tokens WHERE token_hash = $1 AND purpose IN (${placeholders(2, purposes.length)})`;
  return returning(db, sql, [tokenHash, ...purposes], transaction);
}

/**
 * Spends a token still valid at `now`: of concurrent requests, the one whose DELETE removed the
 * row gets it back; the others, and every request after, get null.
 */
export async function spendToken(
  db: Sequelize,
  tokenHash: string,
  purpose: OneUsePurpose,
  now: Date,
  transaction?: Transaction,
): Promise<OneUseToken | null> {
  const sql = `DELETE FROM one_use_tokens WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3 RETURNING ${COLUMNS}`;
  return returning(db, sql, [tokenHash, purpose, now.getTime()], transaction);
}

/**
 * Spends the token and voids every other of its purpose, for a purpose whose use must happen
 * once in all (the first admin account, whichever instance's link made it). Every row of the
 * purpose is locked first, in id order (PostgreSQL): two spends with two instances' tokens wait
 * for each other rather than both winning or deadlocking, and the second finds its row gone.
 */
export async function spendTokenOfAll(
  db: Sequelize,
  tokenHash: string,
  purpose: OneUsePurpose,
  now: Date,
  transaction: Transaction,
): Promise<OneUseToken | null> {
  if (db.getDialect() === 'postgres') {
    const lock = 'SELECT id FROM one_use_tokens WHERE purpose = $1 ORDER BY id FOR UPDATE';
    await db.query(lock, { bind: [purpose], transaction });
  }
  const spent = await spendToken(db, tokenHash, purpose, now, transaction);
  if (spent) await voidTokens(db, { purposes: [purpose] }, transaction);
  return spent;
}

/** Drops the pending tokens of these purposes, of this user or admin account when one is named. */
export async function voidTokens(
  db: Sequelize,
  which: { purposes: readonly OneUsePurpose[]; userId?: number; adminId?: number },
  transaction?: Transaction,
): Promise<number> {
  const owner =
    which.userId !== undefined
      ? { sql: ' AND user_id = $1', id: [which.userId] }
      : which.adminId !== undefined
        ? { sql: ' AND admin_account_id = $1', id: [which.adminId] }
        : { sql: '', id: [] };
  const purposes = placeholders(owner.id.length + 1, which.purposes.length);
  const sql = `DELETE FROM one_use_tokens WHERE purpose IN (${purposes})${owner.sql}`;
  return changed(db, sql, [...owner.id, ...which.purposes], transaction);
}

/** Drops the tokens expired by `now`, of these purposes (all unless told); how many went. */
export async function purgeExpiredTokens(
  db: Sequelize,
  now: Date,
  purposes: readonly OneUsePurpose[] = ONE_USE_PURPOSES,
): Promise<number> {
  let purged = 0;
  // One purpose at a time: each a range of the (purpose, expires_at) index.
  for (const purpose of purposes) {
    const sql = 'DELETE FROM one_use_tokens WHERE purpose = $1 AND expires_at <= $2';
    purged += await changed(db, sql, [purpose, now.getTime()]);
  }
  return purged;
}

/** Every one-use token of one connection, keyed by purpose (`deps.oneUseTokens`, made in storeOf). */
export const oneUseTokenRepository = (db: Sequelize) =>
  bindToDb(db, {
    issue: issueToken,
    replace: replaceToken,
    issueOnce: issueTokenOnce,
    find: findToken,
    spend: spendToken,
    spendOfAll: spendTokenOfAll,
    void: voidTokens,
    purgeExpired: purgeExpiredTokens,
  });
export type OneUseTokenRepository = ReturnType<typeof oneUseTokenRepository>;

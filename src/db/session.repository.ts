import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Models, Session } from './models';
import type { SqliteReaders } from './sqlite-readers';
import { sqlLiteral, sqliteTime, type SqliteWriter } from './sqlite-writer';
import { deleteFinishedSessions } from './batch-delete.repository';
import { inTransaction } from './transaction';

/** The database every function here works on: its connection, models and SQLite readers (see Deps). */
export interface SessionStore {
  db: Sequelize;
  models: Pick<Models, 'Session' | 'User'>;
  readers: SqliteReaders;
  writer: SqliteWriter;
}

/** A refresh session with the user and memberships a token needs, as plain data. */
export interface SessionRecord {
  id: number;
  familyId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  user: {
    id: number;
    uid: string;
    applicationId: number;
    username: string;
    role: string;
    disabled: boolean;
    groups: { name: string }[];
    orgs: { name: string }[];
  };
}

interface Row {
  id: number | string;
  family_id: string;
  expires_at: Date | string;
  used_at: Date | string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
  user_id: number | string;
  uid: string;
  application_id: number | string;
  username: string;
  role: string;
  disabled: boolean | number;
  groups: string[] | string | null;
  orgs: string[] | string | null;
}

// The token hot path reads one row in one round trip. A raw query because Sequelize's nested
// include (session → user → groups, orgs) cost ~3 ms of CPU per call against ~0.3 ms for the
// same SQL run raw (bench/, --cpu-prof: findAll, _validateIncludedElements, _groupJoinData).
export const AGGREGATE = {
  sqlite: (column: string) => `json_group_array(${column})`,
  postgres: (column: string) => `COALESCE(json_agg(${column}), '[]'::json)`,
};

function sessionQuery(dialect: 'sqlite' | 'postgres'): string {
  const agg = AGGREGATE[dialect];
  return `SELECT s.id, s.family_id, s.expires_at, s.used_at, s.revoked_at, s.last_used_at,
      u.id AS user_id, u.uid, u.application_id, u.username, u.role, u.disabled,
      (SELECT ${agg('g.name')} FROM user_groups ug JOIN "groups" g ON g.id = ug.group_id WHERE ug.user_id = u.id) AS "groups",
      (SELECT ${agg('o.name')} FROM user_orgs uo JOIN orgs o ON o.id = uo.org_id WHERE uo.user_id = u.id) AS orgs
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = $1`;
}

const queries = new Map<string, string>();

/** The session whose token hash this is, with its user; null when there is none (or no user). */
async function findSessionByTokenHash(
  { db, readers }: Pick<SessionStore, 'db' | 'readers'>,
  tokenHash: string,
): Promise<SessionRecord | null> {
  const dialect = db.getDialect() === 'postgres' ? 'postgres' : 'sqlite';
  let sql = queries.get(dialect);
  if (!sql) {
    sql = sessionQuery(dialect);
    queries.set(dialect, sql);
  }
  const row = readers.usable
    ? await readers.get<Row>(sql, [tokenHash])
    : (await db.query<Row>(sql, { bind: [tokenHash], type: QueryTypes.SELECT }))[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    familyId: row.family_id,
    expiresAt: asDate(row.expires_at),
    usedAt: row.used_at === null ? null : asDate(row.used_at),
    revokedAt: row.revoked_at === null ? null : asDate(row.revoked_at),
    lastUsedAt: row.last_used_at === null ? null : asDate(row.last_used_at),
    user: {
      id: Number(row.user_id),
      uid: row.uid,
      applicationId: Number(row.application_id),
      username: row.username,
      role: row.role,
      disabled: Boolean(row.disabled),
      groups: memberList(row.groups),
      orgs: memberList(row.orgs),
    },
  };
}

/** PostgreSQL returns Dates; SQLite the text Sequelize stored (`2026-01-02 03:04:05.678 +00:00`). */
export function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A JSON aggregate of names (a string on SQLite, parsed on PostgreSQL), without the null of no rows. */
export function memberList(value: string[] | string | null): { name: string }[] {
  const list: unknown = typeof value === 'string' ? JSON.parse(value) : (value ?? []);
  return (list as (string | null)[]).filter((name): name is string => name !== null).map((name) => ({ name }));
}

/** Where a request came from, as seen through TRUST_PROXY. */
export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

/** A refresh session about to be created. */
export interface NewSession {
  tokenHash: string;
  familyId: string;
  userId: number;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** From the services' clock, like every other time of a session (Sequelize would use the wall clock). */
  createdAt: Date;
}

/** How often a session's last use is written at most: the token hot path reads, it rarely writes. */
const LAST_USE_PRECISION_MS = 60_000;

/** Records that a token of this session was used, unless that was written less than a minute ago. */
async function touchSession(
  { models }: Pick<SessionStore, 'models'>,
  session: SessionRecord,
  now: Date,
): Promise<void> {
  if (session.lastUsedAt && now.getTime() - session.lastUsedAt.getTime() < LAST_USE_PRECISION_MS) return;
  await models.Session.update({ lastUsedAt: now }, { where: { id: session.id } });
}

/** One entry per live refresh family of a user (docs/api.md, Users and Sessions): what an admin sees and may end. */
export interface FamilySummary {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/**
 * The user's live families, newest first. A family is live while it holds a refresh token that
 * is neither spent, revoked nor expired; it was created by its first session, last used by its
 * newest session or the latest use recorded, and it is where its newest session came from.
 */
async function listFamilies(
  { models }: Pick<SessionStore, 'models'>,
  userId: number,
  now: Date,
): Promise<FamilySummary[]> {
  const rows = await models.Session.findAll({ where: { userId, revokedAt: null }, order: [['id', 'ASC']] });
  const families = new Map<string, Session[]>();
  for (const row of rows) families.set(row.familyId, [...(families.get(row.familyId) ?? []), row]);
  const live = [...families.values()].filter((family) => family.some((s) => !s.usedAt && s.expiresAt > now));
  const latest = (dates: number[]) => new Date(Math.max(...dates));
  return live
    .map((family) => {
      const newest = family[family.length - 1];
      return {
        id: newest.familyId,
        createdAt: family[0].createdAt,
        lastUsedAt: latest(family.map((s) => Math.max(s.createdAt.getTime(), s.lastUsedAt?.getTime() ?? 0))),
        expiresAt: latest(family.map((s) => s.expiresAt.getTime())),
        ip: newest.ip,
        userAgent: newest.userAgent,
      };
    })
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id));
}

/** What became of a renewal: done, lost to a concurrent spend of the same token, or revoked meanwhile. */
export type Renewal = 'renewed' | 'already_spent' | 'revoked';

/**
 * Creates the successor of a refresh session, spending the parent first when `spend` is set,
 * so that a revocation is final once it has answered (docs/api.md, rotation): a successor is never left
 * alive by a revocation that ran while it was being made. The spend is conditional (not spent,
 * not revoked, not expired), and the successor is made only if the parent is still good.
 * - SQLite file: one `BEGIN IMMEDIATE` transaction of raw statements on the writer connection
 *   (sqlite-writer.ts). It holds the file's write lock from its first statement, so a revocation
 *   commits wholly before it (the spend or the check finds the parent revoked: nothing is made)
 *   or wholly after it (and revokes the successor with the rest).
 * - PostgreSQL: one statement, atomic without an explicit transaction. It first takes a share lock
 *   on the user's row; revocations take the exclusive lock before they touch sessions, so they
 *   wait for a renewal in flight and then see its successor, and a renewal that waited for a
 *   revocation finds its parent revoked (the spend re-checks the row's latest version).
 * - In-memory SQLite (one connection, the tests): the same statements in one transaction.
 * The outcome tells a lost spend ('already_spent': a concurrent request spent it) from a parent
 * that is no longer good ('revoked').
 */
async function renewSession(
  store: Pick<SessionStore, 'db' | 'models' | 'writer'>,
  parent: { id: number; userId: number },
  child: NewSession,
  now: Date,
  options: { spend: boolean },
): Promise<Renewal> {
  if (store.writer.usable) return renewOnSqliteFile(store.writer, parent, child, now, options);
  if (store.db.getDialect() === 'postgres') return renewOnPostgres(store, parent, child, now, options);
  return renewInSqliteMemory(store, parent, child, now, options);
}

interface ParentState {
  used_at: string | Date | null;
  revoked_at: string | Date | null;
  expires_at: string | Date;
}

/** Why a parent could not be spent or renewed from: spent by a concurrent request, or no longer good. */
function lostRenewal(state: ParentState | undefined, now: Date): Renewal {
  if (!state || state.revoked_at !== null || asDate(state.expires_at) <= now) return 'revoked';
  return 'already_spent';
}

/**
 * The renewal's statements on SQLite, a file's and an in-memory database's alike: the spend and
 * the insert, the insert only if the spend changed the row; a renewal within the grace spends
 * nothing, one statement inserting only if the parent is still good.
 */
function sqliteRenewal(parent: { id: number }, child: NewSession, now: Date, options: { spend: boolean }): string[] {
  const at = sqlLiteral(sqliteTime(now));
  const id = sqlLiteral(parent.id);
  const values = [
    child.tokenHash,
    child.familyId,
    child.userId,
    sqliteTime(child.expiresAt),
    null,
    null,
    null,
    child.ip,
    child.userAgent,
    sqliteTime(child.createdAt),
  ]
    .map(sqlLiteral)
    .join(', ');
  const insert = `INSERT INTO sessions (token_hash, family_id, user_id, expires_at, used_at, revoked_at, last_used_at, ip, user_agent, created_at)
    SELECT ${values}`;
  if (!options.spend) {
    return [
      `${insert} WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ${id} AND revoked_at IS NULL AND expires_at > ${at})`,
    ];
  }
  return [
    `UPDATE sessions SET used_at = ${at} WHERE id = ${id} AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ${at}`,
    `${insert} WHERE changes() = 1`,
  ];
}

const PARENT_STATE = `SELECT used_at, revoked_at, expires_at FROM sessions WHERE id = ?`;

/** On a file: one `BEGIN IMMEDIATE … COMMIT` script on the writer's connection. */
async function renewOnSqliteFile(
  writer: SqliteWriter,
  parent: { id: number },
  child: NewSession,
  now: Date,
  options: { spend: boolean },
): Promise<Renewal> {
  const statements = sqliteRenewal(parent, child, now, options);
  const script = options.spend ? `BEGIN IMMEDIATE; ${statements.join(';\n')}; COMMIT;` : `${statements[0]};`;
  if ((await writer.script(script)) === 1) return 'renewed';
  if (!options.spend) return 'revoked';
  return lostRenewal(await writer.get<ParentState>(PARENT_STATE, [parent.id]), now);
}

/**
 * In memory (one connection, the tests): the same statements in one transaction, which takes
 * its turn with every other write of the process (db/transaction.ts).
 */
function renewInSqliteMemory(
  { db }: Pick<SessionStore, 'db'>,
  parent: { id: number },
  child: NewSession,
  now: Date,
  options: { spend: boolean },
): Promise<Renewal> {
  return inTransaction(db, async (transaction) => {
    for (const statement of sqliteRenewal(parent, child, now, options)) await db.query(statement, { transaction });
    const select = { type: QueryTypes.SELECT, transaction } as const;
    const [{ inserted }] = await db.query<{ inserted: number }>('SELECT changes() AS inserted', select);
    if (inserted === 1) return 'renewed';
    if (!options.spend) return 'revoked';
    const [state] = await db.query<ParentState>(PARENT_STATE, { ...select, replacements: [parent.id] });
    return lostRenewal(state, now);
  });
}

// The user's row is locked (FOR SHARE) before the parent is spent or read: see renewSession.
const POSTGRES_USER_LOCK = `WITH locked AS (SELECT id FROM users WHERE id = $1::integer FOR SHARE)`;
const POSTGRES_INSERT = `INSERT INTO sessions (token_hash, family_id, user_id, expires_at, used_at, revoked_at, last_used_at, ip, user_agent, created_at)
  SELECT $4::varchar, $5::varchar, $6::integer, $7::timestamptz, NULL, NULL, NULL, $8::varchar, $9::varchar, $10::timestamptz`;
const POSTGRES = {
  spend: `${POSTGRES_USER_LOCK},
    parent AS (UPDATE sessions SET used_at = $2::timestamptz WHERE id = $3::integer AND used_at IS NULL AND revoked_at IS NULL
      AND expires_at > $2 AND EXISTS (SELECT 1 FROM locked) RETURNING id)
    ${POSTGRES_INSERT} FROM parent RETURNING id`,
  grace: `${POSTGRES_USER_LOCK},
    parent AS (SELECT id FROM sessions WHERE id = $3::integer AND revoked_at IS NULL AND expires_at > $2::timestamptz
      AND EXISTS (SELECT 1 FROM locked) FOR SHARE)
    ${POSTGRES_INSERT} FROM parent RETURNING id`,
};

async function renewOnPostgres(
  { db }: Pick<SessionStore, 'db'>,
  parent: { id: number; userId: number },
  child: NewSession,
  now: Date,
  options: { spend: boolean },
): Promise<Renewal> {
  const bind = [
    parent.userId,
    now,
    parent.id,
    child.tokenHash,
    child.familyId,
    child.userId,
    child.expiresAt,
    child.ip,
    child.userAgent,
    child.createdAt,
  ];
  const sql = options.spend ? POSTGRES.spend : POSTGRES.grace;
  const created = await db.query<{ id: number }>(sql, { bind, type: QueryTypes.SELECT });
  if (created.length === 1) return 'renewed';
  if (!options.spend) return 'revoked';
  const [state] = await db.query<ParentState>(`SELECT used_at, revoked_at, expires_at FROM sessions WHERE id = $1`, {
    bind: [parent.id],
    type: QueryTypes.SELECT,
  });
  return lostRenewal(state, now);
}

/**
 * Ends refresh sessions of one user (all of them, or one family) for good. On PostgreSQL it
 * first takes the user's row lock, so that renewals in flight finish before and are revoked
 * too (see renewSession); the caller's transaction, when given, holds it until commit. Returns
 * how many sessions it ended.
 */
async function revokeUserSessions(
  { db, models }: Pick<SessionStore, 'db' | 'models'>,
  userId: number,
  now: Date,
  options: { familyId?: string; transaction?: Transaction } = {},
): Promise<number> {
  const steps = async (transaction?: Transaction): Promise<number> => {
    if (transaction && db.getDialect() === 'postgres') {
      await models.User.findByPk(userId, { attributes: ['id'], lock: transaction.LOCK.UPDATE, transaction });
    }
    const where = { userId, revokedAt: null, ...(options.familyId ? { familyId: options.familyId } : {}) };
    const [revoked] = await models.Session.update({ revokedAt: now }, { where, transaction });
    return revoked;
  };
  if (options.transaction || db.getDialect() !== 'postgres') return steps(options.transaction);
  return db.transaction((transaction) => steps(transaction));
}

/** The refresh sessions of one database (see SessionStore), made once in storeOf. */
export interface SessionRepository {
  /** The session whose token hash this is, with its user; null when there is none (or no user). */
  findByTokenHash(tokenHash: string): Promise<SessionRecord | null>;
  create(session: NewSession, transaction?: Transaction): Promise<void>;
  /** Records that a token of this session was used, unless that was written less than a minute ago. */
  touch(session: SessionRecord, now: Date): Promise<void>;
  families(userId: number, now: Date): Promise<FamilySummary[]>;
  renew(
    parent: { id: number; userId: number },
    child: NewSession,
    now: Date,
    options: { spend: boolean },
  ): Promise<Renewal>;
  /** Revokes the user's sessions (of one family); the number revoked. */
  revokeOfUser(userId: number, now: Date, options?: { familyId?: string; transaction?: Transaction }): Promise<number>;
  /** Sessions expired before `now` or revoked before `revokedBefore`, in batches. */
  purgeFinished(now: Date, revokedBefore: Date): Promise<number>;
}

export function sessionRepository(store: SessionStore): SessionRepository {
  return {
    findByTokenHash: (tokenHash) => findSessionByTokenHash(store, tokenHash),
    create: async (session, transaction) => {
      await store.models.Session.create({ ...session, usedAt: null, revokedAt: null }, { transaction });
    },
    touch: (session, now) => touchSession(store, session, now),
    families: (userId, now) => listFamilies(store, userId, now),
    renew: (parent, child, now, options) => renewSession(store, parent, child, now, options),
    revokeOfUser: (userId, now, options) => revokeUserSessions(store, userId, now, options),
    purgeFinished: (now, revokedBefore) => deleteFinishedSessions(store.db, now, revokedBefore),
  };
}

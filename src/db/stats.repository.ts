import { QueryTypes, type Sequelize } from 'sequelize';
import { bindToDb } from './database';

type Dialect = 'sqlite' | 'postgres';

const dialectOf = (db: Sequelize): Dialect => (db.getDialect() === 'postgres' ? 'postgres' : 'sqlite');

/**
 * Whole seconds since the epoch of a timestamp column: the one expression the two databases
 * write differently. Buckets are then plain integer division, the same SQL on both.
 */
const EPOCH: Record<Dialect, (column: string) => string> = {
  sqlite: (column) => `CAST(strftime('%s', ${column}) AS INTEGER)`,
  postgres: (column) => `CAST(FLOOR(EXTRACT(EPOCH FROM ${column})) AS BIGINT)`,
};

/** `detail.count` of an audit entry (its JSON text), the refusals a summarised 429 entry stands for. */
const DETAIL_COUNT: Record<Dialect, string> = {
  sqlite: `CAST(json_extract(detail, '$.count') AS INTEGER)`,
  postgres: `CAST(CAST(detail AS json)->>'count' AS INTEGER)`,
};

/** The `:app` replacement, when the numbers are one application's. */
const only = (app: string | undefined): { app?: string } => (app === undefined ? {} : { app });

/** One bucket's numbers, by its index from the start of the window. */
export interface BucketCounts {
  bucket: number;
  logins: number;
  failures: number;
  lockouts: number;
}

export interface BucketWindow {
  from: Date;
  /** Seconds per bucket. */
  size: number;
  count: number;
  /** One application, or every one. */
  app?: string;
  /** The credential checks whose successes and failures count (refusals of any action count). */
  actions: readonly string[];
}

/**
 * Logins, failures and lockouts per bucket of a window, grouped in SQL. A 429 entry is a summary
 * of its key's refusals in one minute (docs/api.md, Audit log): its `detail.count` is added up.
 * Buckets without an entry are absent.
 */
async function countAttempts(db: Sequelize, window: BucketWindow): Promise<BucketCounts[]> {
  const dialect = dialectOf(db);
  const start = Math.floor(window.from.getTime() / 1000);
  const sql = `SELECT (${EPOCH[dialect]('at')} - :start) / :size AS bucket,
      SUM(CASE WHEN outcome = 'success' AND action IN (:actions) THEN 1 ELSE 0 END) AS logins,
      SUM(CASE WHEN outcome = 'failure' AND action IN (:actions) THEN 1 ELSE 0 END) AS failures,
      SUM(CASE WHEN outcome = 'rate_limited' THEN COALESCE(${DETAIL_COUNT[dialect]}, 1) ELSE 0 END) AS lockouts
    FROM audit_log
    WHERE at >= :from AND at < :to
      AND (action IN (:actions) OR outcome = 'rate_limited')
      ${window.app === undefined ? '' : 'AND app = :app'}
    GROUP BY 1`;
  const to = new Date((start + window.size * window.count) * 1000);
  const rows = await db.query<Record<keyof BucketCounts, number | string>>(sql, {
    replacements: { start, size: window.size, from: window.from, to, actions: window.actions, ...only(window.app) },
    type: QueryTypes.SELECT,
  });
  return rows.map((row) => ({
    bucket: Number(row.bucket),
    logins: Number(row.logins),
    failures: Number(row.failures),
    lockouts: Number(row.lockouts),
  }));
}

/** How many users one application has, or all of them. */
async function countUsers(db: Sequelize, app?: string): Promise<number> {
  const sql =
    app === undefined
      ? 'SELECT COUNT(*) AS n FROM users'
      : 'SELECT COUNT(*) AS n FROM users u JOIN applications a ON a.id = u.application_id WHERE a.name = :app';
  const [row] = await db.query<{ n: number | string }>(sql, { replacements: only(app), type: QueryTypes.SELECT });
  return Number(row.n);
}

/**
 * Live sessions: refresh families holding a token that is neither spent, revoked nor expired,
 * counted as the console's session lists show them (one per family).
 */
async function countActiveSessions(db: Sequelize, now: Date, app?: string): Promise<number> {
  const sql = `SELECT COUNT(DISTINCT s.family_id) AS n
    FROM sessions s JOIN users u ON u.id = s.user_id JOIN applications a ON a.id = u.application_id
    WHERE s.used_at IS NULL AND s.revoked_at IS NULL AND s.expires_at > :now
      ${app === undefined ? '' : 'AND a.name = :app'}`;
  const [row] = await db.query<{ n: number | string }>(sql, {
    replacements: { now, ...only(app) },
    type: QueryTypes.SELECT,
  });
  return Number(row.n);
}

/** The counts behind the statistics on one connection (`deps.stats`, made in storeOf). */
export const statsRepository = (db: Sequelize) =>
  bindToDb(db, {
    countAttempts,
    countUsers,
    countActiveSessions,
  });
export type StatsRepository = ReturnType<typeof statsRepository>;

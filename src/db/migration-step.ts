import type { QueryInterface, Sequelize, Transaction } from 'sequelize';
import type { Migration, MigrationContext } from './migrations';
import { errorChain } from '../errors';
import { inTransaction } from './transaction';

/**
 * How a PostgreSQL migration waits for its locks. DDL queues for its lock, and every later
 * statement on that table queues behind it: a migration waiting on a reader (pg_dump, a long
 * report) stalled every other instance's logins until their statement timeout. Each attempt
 * waits at most `lockTimeoutMs` (SET LOCAL lock_timeout), rolls back, sleeps with jitter and
 * tries again, `attempts` times, as GitLab's with_lock_retries does.
 */
export interface LockRetry {
  lockTimeoutMs: number;
  attempts: number;
  /** Told before each sleep between attempts (the server logs it). */
  onRetry?: (retry: { name: string; attempt: number; delayMs: number }) => void;
}

export const DEFAULT_LOCK_RETRY: LockRetry = { lockTimeoutMs: 2000, attempts: 10 };

/** The row that says a migration is applied; run by umzug too, hence idempotent. */
export const RECORD = 'INSERT INTO schema_migrations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING';
const FORGET = 'DELETE FROM schema_migrations WHERE name = $1';

/**
 * Applies (or reverts) one migration and writes (or deletes) its `schema_migrations` row in one
 * transaction, as Flyway and Liquibase do: a migration that fails or is killed half-way leaves
 * neither its changes nor its row, and the next start runs it again from the beginning. Before,
 * each statement committed on its own: 0011 killed while waiting for a lock on `users` left
 * `applications.signup` behind, and every restart failed with "column already exists".
 * A migration with `transaction: false` (CREATE INDEX CONCURRENTLY) runs statement by statement
 * and must be safe to run again (see migrations/concurrent-index.ts).
 */
export async function runMigrationStep(
  sequelize: Sequelize,
  migration: Migration,
  direction: 'up' | 'down',
  retry: LockRetry,
  context: MigrationContext = {},
): Promise<void> {
  if (migration.transaction === false) return migration[direction](sequelize.getQueryInterface(), context);
  const postgres = sequelize.getDialect() === 'postgres';
  for (let attempt = 1; ; attempt++) {
    try {
      await inTransaction(sequelize, async (transaction) => {
        if (postgres) {
          const ms = Math.max(1, Math.round(retry.lockTimeoutMs));
          await sequelize.query(`SET LOCAL lock_timeout = ${ms}`, { transaction });
        }
        await migration[direction](boundTo(sequelize, transaction), context);
        await sequelize.query(direction === 'up' ? RECORD : FORGET, { bind: [migration.name], transaction });
      });
      return;
    } catch (error) {
      if (!postgres || !isLockTimeout(error)) throw error;
      if (attempt >= retry.attempts) throw new MigrationLocked(migration.name, retry, error);
      // Full jitter on a doubling base (capped): instances retrying together spread out.
      const delayMs = Math.round(Math.random() * Math.min(500 * 2 ** attempt, 10_000));
      retry.onRetry?.({ name: migration.name, attempt, delayMs });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * The query interface with every statement in `transaction`: migrations call both its methods
 * (createTable, addIndex) and `q.sequelize.query`, which all end in `sequelize.query`. No CLS:
 * Sequelize's is process-wide and would pull unrelated queries into the transaction.
 */
function boundTo(sequelize: Sequelize, transaction: Transaction): QueryInterface {
  const scoped = Object.create(sequelize) as Sequelize;
  scoped.query = ((sql: unknown, options?: { transaction?: Transaction | null }) =>
    sequelize.query(sql as string, {
      ...options,
      transaction: options?.transaction ?? transaction,
    })) as Sequelize['query'];
  const bound = Object.create(sequelize.getQueryInterface()) as QueryInterface & { sequelize: Sequelize };
  bound.sequelize = scoped;
  return bound;
}

/** lock_timeout ran out (55P03, lock_not_available), through Sequelize's wrappers. */
function isLockTimeout(error: unknown): boolean {
  return errorChain(error).some((link) => link.code === '55P03');
}

export class MigrationLocked extends Error {
  constructor(name: string, retry: LockRetry, cause: unknown) {
    super(
      `Migration ${name} could not take its locks: ${retry.attempts} attempts, each waiting ${retry.lockTimeoutMs} ms, ` +
        'met a conflicting lock held by another session (a long transaction, pg_dump, a report). Nothing of it ' +
        'was applied. Find the session in pg_stat_activity / pg_locks, let it end, and start again.',
      { cause },
    );
  }
}

/** The default retries, each told to the log: what an operator sees while a lock holds a start up. */
export const loggedLockRetry = (logger: { warn(details: object, message: string): void }): LockRetry => ({
  ...DEFAULT_LOCK_RETRY,
  onRetry: ({ name, attempt, delayMs }) =>
    logger.warn(
      { migration: name, attempt, attempts: DEFAULT_LOCK_RETRY.attempts, delayMs },
      `migration ${name} met a lock held by another session (lock_timeout ${DEFAULT_LOCK_RETRY.lockTimeoutMs} ms): rolled back, trying again`,
    ),
});

import { QueryTypes, type Sequelize } from 'sequelize';
import { inTransaction } from './transaction';

/**
 * Rows per delete. One statement over tens of thousands of rows held SQLite's write lock (and
 * PostgreSQL's row locks) long enough for other writers to run out of their busy wait: in
 * batches, each in its own short transaction, logins and other processes get in between.
 */
const BATCH = 500;

async function inBatches(db: Sequelize, sql: string, replacements: Record<string, unknown>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await inTransaction(db, async (transaction) => {
      // BULKDELETE: Sequelize answers with the count of deleted rows on either dialect.
      const deleted: unknown = await db.query(sql, {
        replacements: { ...replacements, batch: BATCH },
        type: QueryTypes.BULKDELETE,
        transaction,
      });
      return Number(deleted);
    });
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/** An application's users (their sessions, memberships and factors go with them: cascade), in batches. */
export function deleteUsersOfApplication(db: Sequelize, applicationId: number): Promise<number> {
  return inBatches(
    db,
    `DELETE FROM users WHERE id IN
       (SELECT id FROM users WHERE application_id = :applicationId ORDER BY id LIMIT :batch)`,
    { applicationId },
  );
}

/** Sessions expired before `now` or revoked before `revokedBefore`, in batches. */
export function deleteFinishedSessions(db: Sequelize, now: Date, revokedBefore: Date): Promise<number> {
  return inBatches(
    db,
    `DELETE FROM sessions WHERE id IN
       (SELECT id FROM sessions WHERE expires_at < :now OR revoked_at < :revokedBefore ORDER BY id LIMIT :batch)`,
    { now, revokedBefore },
  );
}

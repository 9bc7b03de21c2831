import { Transaction, type Sequelize } from 'sequelize';

const sqliteQueues = new WeakMap<Sequelize, Promise<unknown>>();

/**
 * Runs `work` in a write transaction. On SQLite, transactions of one connection pool run one at
 * a time: an in-memory database has a single connection, where a second BEGIN fails with
 * "cannot start a transaction within a transaction" (a 500 for the second of two concurrent
 * writes), and SQLite admits one writer at a time anyway. And they begin IMMEDIATE: a deferred
 * transaction that read and then wrote got SQLITE_BUSY at once, without the busy wait, whenever
 * another process had committed since its read (`jawth import` into a live file failed so).
 * IMMEDIATE takes the write lock first, waiting for it up to the busy timeout.
 * PostgreSQL runs them side by side.
 */
export function inTransaction<T>(db: Sequelize, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  if (db.getDialect() !== 'sqlite') return db.transaction(work);
  return onSqliteWriteQueue(db, () => db.transaction({ type: Transaction.TYPES.IMMEDIATE }, work));
}

/**
 * Runs `write` after every write transaction of this process on this SQLite database asked for
 * before it: Sequelize's transactions and the rotation writer's scripts (db/sqlite-writer.ts)
 * share this one queue, so that two transactions of this process never wait for each other in
 * SQLite's busy handler, each sleeping on a thread of libuv's pool that the other needs.
 */
export function onSqliteWriteQueue<T>(db: Sequelize, write: () => Promise<T>): Promise<T> {
  const previous = sqliteQueues.get(db) ?? Promise.resolve();
  const run = previous.then(write);
  sqliteQueues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { Transaction, type Sequelize } from 'sequelize';
import { stateOf } from './database';

/** A transaction of the data layer, passed through the services to the repositories' writes. */
export type { Transaction };

/** The write of the queue running now, seen by the queries it makes, until it ends. */
interface QueuedWrite {
  db: Sequelize;
  running: boolean;
}
const currentWrite = new AsyncLocalStorage<QueuedWrite>();

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
  const state = stateOf(db);
  const run = state.lastWrite.then(async () => {
    const turn: QueuedWrite = { db, running: true };
    try {
      return await currentWrite.run(turn, write);
    } finally {
      turn.running = false;
    }
  });
  state.lastWrite = run.catch(() => undefined);
  return run;
}

const READ_ONLY = /^\s*(SELECT|EXPLAIN|PRAGMA\s+[\w.]+\s*(\(\s*[\w"'.]*\s*\))?\s*;?\s*$)/i;

/**
 * Sends each write statement made outside a transaction (a model's save or update, a raw
 * UPDATE) through the queue too: run on Sequelize's default connection while a transaction of
 * this process held the write lock, it slept in SQLite's busy handler on a thread of libuv's
 * pool, and four such writes left the transaction no thread to commit on, so the process waited
 * for itself until the busy timeout. On an in-memory database, whose one connection every query
 * shares, such a write would even have become part of the open transaction, and a read would see
 * its uncommitted rows: there every statement outside a transaction takes its turn. On a file,
 * reads need none (write-ahead logging lets them run beside a writer). Nor do the statements of
 * a turn that is running, which would otherwise wait for themselves.
 */
export function queueSqliteWritesOutsideTransactions(db: Sequelize): void {
  const storage = (db as unknown as { options: { storage?: string } }).options.storage;
  const onFile = storage !== undefined && storage !== ':memory:';
  const query = db.query.bind(db) as (sql: unknown, options?: { transaction?: unknown }) => Promise<unknown>;
  const queued = (sql: unknown, options?: { transaction?: unknown }): Promise<unknown> => {
    const text = typeof sql === 'string' ? sql : ((sql as { query?: string } | null)?.query ?? '');
    const turn = currentWrite.getStore();
    const inTurn = turn !== undefined && turn.running && turn.db === db;
    if (options?.transaction || inTurn || (onFile && READ_ONLY.test(text))) return query(sql, options);
    return onSqliteWriteQueue(db, () => query(sql, options));
  };
  (db as unknown as { query: typeof queued }).query = queued;
}

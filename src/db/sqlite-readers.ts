import sqlite3 from 'sqlite3';
import type { Sequelize } from 'sequelize';
import { sqliteBusyTimeoutMs } from './sequelize';

/**
 * Read-only connections to the SQLite file, for the token hot path. Sequelize keeps one
 * connection per SQLite database, and node-sqlite3 runs one statement at a time on it, so every
 * token request queued behind the last (bench/: the event loop sat 30% idle at ~1,000 access
 * tokens/s). In WAL mode readers do not wait for each other or for the writer, and each
 * statement reads the latest committed state: a revocation is seen by the next request.
 */
const READERS = 2;

class Readers {
  private next = 0;
  constructor(private readonly handles: sqlite3.Database[]) {}

  get<T>(sql: string, params: unknown[]): Promise<T | undefined> {
    const handle = this.handles[this.next++ % this.handles.length];
    return new Promise((resolve, reject) => {
      handle.get(sql, params, (error: Error | null, row: T | undefined) => (error ? reject(error) : resolve(row)));
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((handle) => new Promise<void>((resolve) => handle.close(() => resolve()))));
  }
}

const readers = new WeakMap<Sequelize, Readers | null>();

/** The readers of a file-backed SQLite database; null for PostgreSQL and in-memory SQLite. */
export function sqliteReaders(db: Sequelize): Readers | null {
  let found = readers.get(db);
  if (found === undefined) {
    const storage = (db as unknown as { options: { storage?: string } }).options.storage;
    const usable = db.getDialect() === 'sqlite' && storage && storage !== ':memory:';
    found = usable
      ? new Readers(
          Array.from({ length: READERS }, () => {
            const handle = new sqlite3.Database(storage, sqlite3.OPEN_READONLY);
            handle.configure('busyTimeout', sqliteBusyTimeoutMs(db));
            return handle;
          }),
        )
      : null;
    readers.set(db, found);
  }
  return found;
}

/** Closes the readers of a database, if it has any; call before closing the database itself. */
export async function closeSqliteReaders(db: Sequelize): Promise<void> {
  const found = readers.get(db);
  readers.delete(db);
  await found?.close();
}

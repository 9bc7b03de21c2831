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

/** The readers of one database; none for PostgreSQL and in-memory SQLite, where `get` is not used. */
export class SqliteReaders {
  private next = 0;
  private handles: sqlite3.Database[] | undefined;
  /**
   * Each handle's statements, prepared once: preparing and finalising one per call was a seventh
   * of an access token's CPU (bench/README.md). Binding resets a statement, so each call reads the
   * latest commit; run with `all`, which steps to the end, so that no statement is left on a row
   * holding a read lock between calls (the WAL could not be checkpointed behind it).
   */
  private readonly statements = new Map<sqlite3.Database, Map<string, sqlite3.Statement>>();
  readonly usable: boolean;
  private readonly storage: string;

  constructor(private readonly db: Sequelize) {
    const storage = (db as unknown as { options: { storage?: string } }).options.storage;
    this.storage = storage ?? ':memory:';
    this.usable = db.getDialect() === 'sqlite' && this.storage !== ':memory:';
  }

  /** Opened on first use: the file may not exist before the database's first write. */
  get<T>(sql: string, params: unknown[]): Promise<T | undefined> {
    this.handles ??= Array.from({ length: READERS }, () => {
      const handle = new sqlite3.Database(this.storage, sqlite3.OPEN_READONLY);
      handle.configure('busyTimeout', sqliteBusyTimeoutMs(this.db));
      return handle;
    });
    const handle = this.handles[this.next++ % this.handles.length];
    const prepared = this.statements.get(handle) ?? new Map<string, sqlite3.Statement>();
    this.statements.set(handle, prepared);
    let statement = prepared.get(sql);
    if (!statement) {
      statement = handle.prepare(sql);
      prepared.set(sql, statement);
    }
    const ready = statement;
    return new Promise((resolve, reject) => {
      ready.all(params, (error: Error | null, rows: T[]) => {
        if (!error) return resolve(rows[0]);
        // Prepared again next time: a statement whose preparation failed (no table yet) stays failed.
        if (prepared.get(sql) === ready) prepared.delete(sql);
        reject(error);
      });
    });
  }

  /** Call before closing the database itself. */
  async close(): Promise<void> {
    const handles = this.handles ?? [];
    this.handles = undefined;
    const statements = [...this.statements.values()].flatMap((prepared) => [...prepared.values()]);
    this.statements.clear();
    await Promise.all(
      statements.map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))),
    );
    await Promise.all(handles.map((handle) => new Promise<void>((resolve) => handle.close(() => resolve()))));
  }
}

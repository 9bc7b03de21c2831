import sqlite3 from 'sqlite3';
import type { Sequelize } from 'sequelize';
import { sqliteBusyTimeoutMs } from './sequelize';
import { onSqliteWriteQueue } from './transaction';

/**
 * A read-write connection of its own to the SQLite file, for the refresh rotation: one
 * `BEGIN IMMEDIATE … COMMIT` of prepared statements, one commit (one fsync of the WAL) per
 * rotation instead of two autocommits through Sequelize (bench/README.md). It runs beside
 * Sequelize's connection on the same file in WAL mode: each transaction starts from the latest
 * commit of any connection or process, and SQLite admits one writer at a time, so a revocation
 * written through Sequelize (or by another process) commits either wholly before a rotation or
 * wholly after it. Its scripts take their turn in the process's one queue of SQLite write
 * transactions with Sequelize's (db/transaction.ts): the statements of two rotations never
 * interleave on it, and no transaction of this process waits for another of it in the busy
 * handler. Durability is SQLite's default,
 * `synchronous=FULL`, set explicitly: a committed revocation survives a power cut.
 * None for PostgreSQL and in-memory SQLite (one connection there): `usable` is false.
 */
export class SqliteWriter {
  private handle: sqlite3.Database | undefined;
  private readonly statements = new Map<string, sqlite3.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  readonly usable: boolean;
  private readonly storage: string;

  constructor(private readonly db: Sequelize) {
    const storage = (db as unknown as { options: { storage?: string } }).options.storage;
    this.storage = storage ?? ':memory:';
    this.usable = db.getDialect() === 'sqlite' && this.storage !== ':memory:';
  }

  /** Opened on first use, after the migrations made the file and its tables. */
  private open(): sqlite3.Database {
    if (this.handle) return this.handle;
    // With callbacks, a failure to open or to set a pragma is not an 'error' event (which would
    // end the process): it shows as the next script's error (SQLITE_CANTOPEN and the like: 503).
    const handle = new sqlite3.Database(this.storage, sqlite3.OPEN_READWRITE, () => undefined);
    // Another process (WORKERS=2, the CLI) holding the write lock is waited for this long, then
    // SQLITE_BUSY, which answers 503 (http/middleware/unavailable.ts).
    handle.configure('busyTimeout', sqliteBusyTimeoutMs(this.db));
    // Serialized: the first rotation's script waits for these (SQLite's default is FULL already).
    handle.serialize(() => handle.exec('PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON', () => undefined));
    this.handle = handle;
    return handle;
  }

  private statement(sql: string): sqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.open().prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** The first row of a prepared query, run to the end (no statement left holding a read lock). */
  get<T>(sql: string, params: unknown[]): Promise<T | undefined> {
    const statement = this.statement(sql);
    return new Promise((resolve, reject) => {
      statement.all(params, (error: Error | null, rows: T[]) => (error ? reject(error) : resolve(rows[0])));
    });
  }

  private exec(sql: string): Promise<void> {
    const handle = this.open();
    return new Promise((resolve, reject) => handle.exec(sql, (error) => (error ? reject(error) : resolve())));
  }

  /**
   * Runs `script` (statements with their values written in, see `sqlLiteral`) in one call, one
   * script at a time on this connection, in the order asked; resolves with what the script's
   * last INSERT, UPDATE or DELETE changed. A transaction it opens is held only during that one
   * call: between two calls the lock would wait for a thread of libuv's pool, where Sequelize's
   * queries waiting for the same lock can sit (4 threads: held, they never came back, and every
   * write stalled until the busy timeout). If the script fails inside its transaction, that
   * transaction is rolled back.
   */
  script(script: string): Promise<number> {
    const run = onSqliteWriteQueue(this.db, async () => {
      try {
        await this.exec(script);
      } catch (error) {
        // Fails harmlessly when the script failed before its BEGIN or after its COMMIT.
        await this.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return (await this.get<{ changed: number }>('SELECT changes() AS changed', []))?.changed ?? 0;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Call before closing the database itself; waits for the transaction in flight. */
  async close(): Promise<void> {
    await this.queue;
    const handle = this.handle;
    this.handle = undefined;
    const statements = [...this.statements.values()];
    this.statements.clear();
    await Promise.all(
      statements.map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))),
    );
    if (handle) await new Promise<void>((resolve) => handle.close(() => resolve()));
  }
}

/**
 * A value written into a script. Text goes in as a hex blob cast to text, so that nothing a
 * caller sends (a user agent) can end the literal: the script holds only hex digits where it
 * stood. A NUL is dropped (it would cut the text short in SQLite's functions). Numbers must be
 * safe integers.
 */
export function sqlLiteral(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
    return String(value);
  }
  return `CAST(X'${Buffer.from(value.replace(/\0/g, ''), 'utf8').toString('hex')}' AS TEXT)`;
}

/** A time as Sequelize stores it in SQLite (`2026-01-02 03:04:05.678 +00:00`), so that text comparisons order it. */
export function sqliteTime(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 23)} +00:00`;
}

import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { openPrivateFile } from '../files/private-files';

/** A failure of a backup or a restore, said in one sentence (scripts/backup-sqlite, restore-sqlite). */
export class SqliteFileError extends Error {}

/**
 * The file a `sqlite:` URL or a plain path names, absolute. PostgreSQL has tools of its own, and
 * an in-memory database has no file.
 */
export function sqliteFileOf(database: string): string {
  if (/^postgres(ql)?:\/\//i.test(database)) {
    throw new SqliteFileError('the database is PostgreSQL: back it up with pg_dump and restore it with pg_restore');
  }
  const file = database.startsWith('sqlite:') ? database.slice('sqlite:'.length) : database;
  if (file === '' || file === ':memory:') throw new SqliteFileError('an in-memory database has no file to copy');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) throw new SqliteFileError(`${database} is not a SQLite database URL`);
  return path.resolve(file);
}

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Throws unless `file` exists and starts as a SQLite database does; `what` names it in the message. */
export function assertSqliteFile(file: string, what: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new SqliteFileError(`${what} ${file} does not exist`);
  }
  if (!stat.isFile()) throw new SqliteFileError(`${what} ${file} is not a file`);
  const head = Buffer.alloc(HEADER.length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!head.equals(HEADER)) throw new SqliteFileError(`${what} ${file} is not a SQLite database`);
}

/** The few promise-returning calls a copy needs, on one sqlite3 connection. */
export interface SqliteConnection {
  handle: sqlite3.Database;
  all<T>(sql: string): Promise<T[]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export function openSqlite(file: string, mode: number): Promise<SqliteConnection> {
  return new Promise((resolve, reject) => {
    const handle: sqlite3.Database = new sqlite3.Database(file, mode, (error) => {
      if (error) return reject(error);
      resolve({
        handle,
        all: <T>(sql: string) =>
          new Promise<T[]>((done, fail) => handle.all(sql, (e: Error | null, rows: T[]) => (e ? fail(e) : done(rows)))),
        exec: (sql) => new Promise<void>((done, fail) => handle.exec(sql, (e) => (e ? fail(e) : done()))),
        close: () => new Promise<void>((done, fail) => handle.close((e) => (e ? fail(e) : done()))),
      });
    });
  });
}

/** What a verified copy holds, for the scripts' report. */
export interface CopyFacts {
  bytes: number;
  migrations: number;
}

/**
 * A copy is usable when SQLite finds nothing wrong in it (every page, index and constraint:
 * `integrity_check`) and it is a jawth database (`schema_migrations`, which every migration run
 * writes). The connection is read-only: checking a backup changes nothing in it.
 */
export async function verifySqliteCopy(file: string, what: string): Promise<CopyFacts> {
  assertSqliteFile(file, what);
  const db = await openSqlite(file, sqlite3.OPEN_READONLY);
  try {
    const results = await db.all<{ integrity_check: string }>('PRAGMA integrity_check');
    const problems = results.map((row) => row.integrity_check).filter((text) => text !== 'ok');
    if (problems.length > 0) throw new SqliteFileError(`${what} ${file} is damaged: ${problems[0]}`);
    const tables = await db.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
    );
    if (tables.length === 0)
      throw new SqliteFileError(`${what} ${file} is not a jawth database (no schema_migrations)`);
    const [{ count }] = await db.all<{ count: number }>('SELECT count(*) AS count FROM schema_migrations');
    return { bytes: fs.statSync(file).size, migrations: count };
  } catch (error) {
    throw (error as { code?: string }).code === 'SQLITE_NOTADB' ||
      (error as { code?: string }).code === 'SQLITE_CORRUPT'
      ? new SqliteFileError(`${what} ${file} is damaged: ${(error as Error).message}`)
      : error;
  } finally {
    await db.close();
  }
}

/**
 * Copies `from` to a new file `to`, private (0600) before its first byte, flushed to the disk.
 * Exclusive: an existing `to` is refused (EEXIST).
 */
export function copyPrivately(from: string, to: string): void {
  const out = openPrivateFile(to, { exclusive: true });
  const input = fs.openSync(from, 'r');
  try {
    const chunk = Buffer.alloc(1024 * 1024);
    for (let read; (read = fs.readSync(input, chunk, 0, chunk.length, null)) > 0;) {
      for (let written = 0; written < read;) written += fs.writeSync(out, chunk, written, read - written);
    }
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(input);
    fs.closeSync(out);
  }
}

/** Flushes a file (or a folder: a rename in it) to the disk. */
export function syncPath(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes the files if they exist. */
export function removeIfPresent(...files: string[]): void {
  for (const file of files) fs.rmSync(file, { force: true });
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { makePrivateFile, makePrivateFolder } from '../files/private-files';
import {
  SqliteFileError,
  assertSqliteFile,
  openSqlite,
  removeIfPresent,
  syncPath,
  verifySqliteCopy,
  type CopyFacts,
  type SqliteConnection,
} from './sqlite-file';

/** sqlite3's Backup, which its type declarations leave out. */
interface Backup {
  readonly completed: boolean;
  readonly failed: boolean;
  step(pages: number, callback: (error: Error | null) => void): void;
  finish(callback: () => void): void;
}
type BackupSource = { backup(file: string, callback: (error: Error | null) => void): Backup };

/** How long BUSY and LOCKED are retried before the backup gives up. */
const RETRY_FOR_MS = 30_000;
const RETRY_PAUSE_MS = 50;

export interface BackupResult extends CopyFacts {
  ms: number;
}

/**
 * Copies the SQLite database `source`, which a running server may be writing, to the new file
 * `destination` (0600, its folder 0700): written under a temporary name beside it, checked
 * (verifySqliteCopy), then renamed, so that the final name never holds half a copy. An existing
 * `destination` is refused unless `force`.
 */
export async function backupSqlite(
  source: string,
  destination: string,
  options: { force?: boolean } = {},
): Promise<BackupResult> {
  assertSqliteFile(source, 'the database');
  assertDestination(source, destination, options.force ?? false);
  const started = Date.now();
  const temp = `${destination}.partial-${crypto.randomBytes(4).toString('hex')}`;
  const db = await openSqlite(source, sqlite3.OPEN_READONLY).catch((error: Error) => {
    throw new SqliteFileError(`cannot open the database ${source}: ${error.message.replace(/^\w+: /, '')}`);
  });
  try {
    writable(destination, () => {
      makePrivateFolder(path.dirname(destination));
      // SQLite keeps the mode of a file that exists: the copy is private before its first page.
      makePrivateFile(temp);
    });
    await writable(destination, () => copyOnline(db, temp));
    await writable(destination, () => asSingleFile(temp));
    const facts = await verifySqliteCopy(temp, 'the copy');
    writable(destination, () => {
      syncPath(temp);
      publish(temp, destination, options.force ?? false);
      syncPath(path.dirname(destination));
    });
    return { ...facts, ms: Date.now() - started };
  } finally {
    await db.close();
    removeIfPresent(temp, `${temp}-journal`, `${temp}-wal`, `${temp}-shm`);
  }
}

function assertDestination(source: string, destination: string, force: boolean): void {
  const same = (a: string, b: string) => path.resolve(a) === path.resolve(b);
  if (['', '-wal', '-shm', '-journal'].some((suffix) => same(`${source}${suffix}`, destination))) {
    throw new SqliteFileError(`${destination} is the database itself: name another file`);
  }
  const existing = writable(destination, () => fs.statSync(destination, { throwIfNoEntry: false }));
  if (existing?.isDirectory()) throw new SqliteFileError(`${destination} is a folder: name the backup file`);
  if (existing && !force) throw new SqliteFileError(`${destination} exists: pass --force to replace it`);
}

/**
 * The copy, measured on a server rotating refresh tokens without pause (4 clients, 200-500
 * rotations a second, a 134 MB database; the slowest rotation with no backup running: 135 ms):
 * - SQLite's online backup API, every page in one step: 0.36-0.43 s, the slowest rotation
 *   meanwhile 119-191 ms; the copy is the database page for page.
 * - `VACUUM INTO`: 0.9-1.0 s, rotations up to 700 ms (it rebuilds every table and index), for a
 *   copy 5 % smaller.
 * - the backup API in bounded steps (100 or 1,000 pages, the usual advice for a busy database):
 *   never finished in 15 s. Each step is a read transaction of its own, and SQLite starts the
 *   backup again from the first page whenever another connection wrote between two steps,
 *   which this server does every few milliseconds.
 * So: one step. It is one read transaction, and in WAL mode a reader and the writer never wait
 * for each other: the server commits throughout (its WAL grows meanwhile and is checkpointed
 * after). BUSY and LOCKED (met while another connection recovers the WAL) are retried.
 */
async function copyOnline(db: SqliteConnection, temp: string): Promise<void> {
  const backup = await new Promise<Backup>((resolve, reject) => {
    const started = (db.handle as unknown as BackupSource).backup(temp, (error) =>
      error ? reject(error) : resolve(started),
    );
  });
  try {
    for (const deadline = Date.now() + RETRY_FOR_MS; ;) {
      const error = await new Promise<Error | null>((resolve) => backup.step(-1, resolve));
      if (backup.completed) return;
      if (backup.failed || Date.now() > deadline) throw error ?? new Error('the backup stopped');
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  } finally {
    await new Promise<void>((resolve) => backup.finish(resolve));
  }
}

/**
 * The copy carries the source's WAL flag; set back to a rollback journal it is one
 * self-contained file that opens anywhere, even read-only. The server sets WAL again when it
 * opens a restored copy.
 */
async function asSingleFile(file: string): Promise<void> {
  const db = await openSqlite(file, sqlite3.OPEN_READWRITE);
  try {
    await db.exec('PRAGMA journal_mode = DELETE');
  } finally {
    await db.close();
  }
}

/** Renames the checked copy into place; without `force` a hard link, which refuses an existing name atomically. */
function publish(temp: string, destination: string, force: boolean): void {
  if (force) return fs.renameSync(temp, destination);
  try {
    fs.linkSync(temp, destination);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new SqliteFileError(`${destination} exists: pass --force to replace it`);
    // A file system without hard links: checked once more, then renamed.
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code ?? '')) throw error;
    if (fs.existsSync(destination)) throw new SqliteFileError(`${destination} exists: pass --force to replace it`);
    fs.renameSync(temp, destination);
  }
}

/** Runs a step that writes the backup, turning a full disk or a refused write into one sentence. */
export function writable<T>(destination: string, step: () => T): T {
  const explain = (error: unknown): never => {
    throw writeFailure(error, destination) ?? error;
  };
  try {
    const result = step();
    return result instanceof Promise ? (result.catch(explain) as T) : result;
  } catch (error) {
    return explain(error);
  }
}

function writeFailure(error: unknown, destination: string): SqliteFileError | undefined {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') {
    return new SqliteFileError(
      `the disk is full: could not write ${destination} (nothing was written under that name)`,
    );
  }
  const refused = ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'];
  if (code && refused.includes(code)) {
    return new SqliteFileError(`cannot write ${destination}: ${(message ?? code).replace(/^\w+: /, '')}`);
  }
  return undefined;
}

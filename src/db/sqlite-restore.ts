import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import sqlite3 from 'sqlite3';
import { makePrivateFolder } from '../files/private-files';
import { writable } from './sqlite-backup';
import {
  SqliteFileError,
  copyPrivately,
  openSqlite,
  removeIfPresent,
  syncPath,
  verifySqliteCopy,
  type CopyFacts,
  type SqliteConnection,
} from './sqlite-file';

export interface RestoreResult extends CopyFacts {
  /** Where the database that was replaced is kept, if there was one and it was kept. */
  kept?: string;
}

/**
 * Puts the checked backup `backup` in place of the SQLite database `target`, refusing while any
 * process has `target` open. The database replaced is kept as `<target>.before-restore-<time>`
 * (0600) unless `keep` is false; its `-wal`, `-shm` and `-journal` are removed, since SQLite
 * would apply a stale `-wal` to the new file. The new file arrives by one rename: the name
 * holds the old database or the new one, never half of either.
 */
export async function restoreSqlite(
  backup: string,
  target: string,
  options: { keep?: boolean; now?: Date } = {},
): Promise<RestoreResult> {
  const facts = await verifySqliteCopy(backup, 'the backup');
  if (path.resolve(backup) === path.resolve(target)) throw new SqliteFileError(`${backup} is the database itself`);
  const existing = writable(target, () => fs.statSync(target, { throwIfNoEntry: false }));
  if (existing && !existing.isFile()) throw new SqliteFileError(`${target} is not a file`);
  writable(target, () => makePrivateFolder(path.dirname(target)));
  const release = await lockMigrations(target);
  try {
    const held = existing ? await holdExclusively(target) : undefined;
    try {
      // Moves what the WAL holds into the file and removes the WAL, while no one else can write.
      await held?.exec('PRAGMA journal_mode = DELETE');
      const kept = held && options.keep !== false ? keepReplaced(target, options.now ?? new Date()) : undefined;
      const temp = `${target}.restoring-${crypto.randomBytes(4).toString('hex')}`;
      try {
        writable(target, () => copyPrivately(backup, temp));
        removeIfPresent(`${target}-wal`, `${target}-shm`, `${target}-journal`);
        writable(target, () => {
          fs.renameSync(temp, target);
          syncPath(path.dirname(target));
        });
      } finally {
        removeIfPresent(temp);
      }
      return { ...facts, kept };
    } finally {
      // In rollback-journal mode now, closing the replaced file's connection touches no file by name.
      await held?.close();
    }
  } finally {
    await release();
  }
}

/**
 * A server starting meanwhile migrates under this lock (db/migrator.ts): taken here, such a
 * start waits for the restore, and a restore refuses while a start migrates.
 */
async function lockMigrations(target: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(target, { realpath: false, retries: 0 });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ELOCKED') throw error;
    throw new SqliteFileError(`${target} is in use: a jawth process is migrating it; stop it, then restore`);
  }
}

/**
 * A running jawth holds its database open, and in WAL mode every open connection keeps a shared
 * lock on the file. An exclusive lock taken without waiting (busy timeout 0) is refused then,
 * and once taken (`locking_mode = EXCLUSIVE` keeps it after the transaction) no server, CLI or
 * sqlite3 shell can open the file until the restore is done.
 */
async function holdExclusively(file: string): Promise<SqliteConnection> {
  const db = await openSqlite(file, sqlite3.OPEN_READWRITE);
  db.handle.configure('busyTimeout', 0);
  try {
    await db.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (error) {
    await db.close();
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new SqliteFileError(
        `${file} is in use: a jawth server (or another program) has it open; stop it, then restore (nothing was changed)`,
      );
    }
    if (code === 'SQLITE_NOTADB') throw new SqliteFileError(`${file} is not a SQLite database: move it away first`);
    throw error;
  }
}

/** A private copy of the database being replaced, beside it, named by the time of the restore. */
function keepReplaced(target: string, now: Date): string {
  const kept = `${target}.before-restore-${now.toISOString().replace(/[-:]/g, '')}`;
  try {
    writable(kept, () => copyPrivately(target, kept));
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') removeIfPresent(kept);
    throw error;
  }
  return kept;
}

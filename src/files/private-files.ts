import fs from 'node:fs';

/**
 * docs/api.md, Conventions: what jawth writes that holds secrets (the SQLite database and its -wal/-shm, its
 * folder, .env, exports) is its owner's only, whatever the umask and whether the file existed:
 * a mode given at creation is cut by the umask and ignored for an existing file, so every
 * path here also chmods.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_FOLDER = 0o700;

/** Creates the folder (and its parents) if needed and makes it private. */
export function makePrivateFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_FOLDER });
  const stat = fs.statSync(dir);
  // A shared folder (sticky bit, as /tmp) or another user's is left alone: its files are private.
  const shared = (stat.mode & 0o1000) !== 0 || (process.getuid !== undefined && stat.uid !== process.getuid());
  if (!shared) fs.chmodSync(dir, PRIVATE_FOLDER);
}

/** Creates the file empty if missing, and makes it private before anything is written to it. */
export function makePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE));
  fs.chmodSync(file, PRIVATE_FILE);
}

/** Makes the file private if it exists (SQLite's -wal and -shm come and go). */
export function restrictIfPresent(file: string): void {
  try {
    fs.chmodSync(file, PRIVATE_FILE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Opens a file for writing from its start, made private before its old content is dropped or
 * any new byte lands; `exclusive` refuses an existing file (EEXIST).
 */
export function openPrivateFile(file: string, options: { exclusive?: boolean } = {}): number {
  const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | (options.exclusive ? O_EXCL : 0), PRIVATE_FILE);
  fs.fchmodSync(fd, PRIVATE_FILE);
  fs.ftruncateSync(fd, 0);
  return fd;
}

/** A write stream on a private file (see openPrivateFile). */
export function privateWriteStream(file: string): fs.WriteStream {
  return fs.createWriteStream(file, { fd: openPrivateFile(file) });
}

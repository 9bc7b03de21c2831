import bcrypt from 'bcrypt';
import { onHashThread } from './hash-gate';

/** bcrypt only reads the first 72 bytes; longer passwords are refused, never truncated. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * bcrypt's async functions run on libuv's thread pool and never block the event loop; every call
 * goes through the hash gate, which keeps one of the pool's threads for the database driver.
 */
export function hashPassword(password: string, cost: number): Promise<string> {
  return onHashThread(() => bcrypt.hash(password, cost));
}

/** Whether bcrypt reads all of this password: it silently ignores every byte after the 72nd. */
export function fitsBcrypt(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
}

/**
 * A password longer than 72 bytes never matches (docs/api.md, Brute-force protection): bcrypt would compare only its
 * first 72 bytes, so the stored password plus any suffix would log in. The comparison still
 * runs, so that the answer takes as long as a wrong password's.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const matches = await onHashThread(() => bcrypt.compare(password, hash));
  return matches && fitsBcrypt(password);
}

export function needsRehash(hash: string, cost: number): boolean {
  return bcrypt.getRounds(hash) !== cost;
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * Spends the same time as a real comparison when there is no user to compare against, so that
 * the answer's timing does not tell which usernames exist.
 */
export async function dummyVerify(password: string, cost: number): Promise<false> {
  const hash = await dummyHash(cost);
  await onHashThread(() => bcrypt.compare(password, hash));
  return false;
}

/**
 * The hash dummy comparisons use. The server makes it at start: made on the first unknown
 * username instead, that one answer would take twice as long and tell.
 */
export function dummyHash(cost: number): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (!hash) {
    hash = hashPassword('jawth-dummy-password', cost);
    dummyHashes.set(cost, hash);
  }
  return hash;
}

import crypto from 'node:crypto';

/** Quid's keys: AES-256-GCM, a 12-byte nonce before the ciphertext, the 16-byte tag after it. */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const QUID_KEY = /^[0-9a-fA-F]{64}$/;

export class QuidKeyError extends Error {}

/** The AES key of Quid's config.json (`key`) or `QUID_KEY`: 64 hex characters. */
export function parseQuidKey(hex: string): Buffer {
  if (!QUID_KEY.test(hex)) throw new QuidKeyError('--quid-key must be the 64 hex characters of Quid\'s "key".');
  return Buffer.from(hex, 'hex');
}

/**
 * Decrypts one stored namespace key. Quid signs with the decrypted text itself (its ASCII
 * bytes), so the text is what jawth keeps as the application's secret; a wrong AES key fails
 * the GCM tag check rather than yielding garbage.
 */
export function decryptQuidValue(storedHex: string, aesKey: Buffer): string {
  if (!/^(?:[0-9a-f]{2})+$/i.test(storedHex)) throw new QuidKeyError('the stored key is not hex');
  const bytes = Buffer.from(storedHex, 'hex');
  if (bytes.length < NONCE_BYTES + TAG_BYTES + 1) throw new QuidKeyError('the stored key is too short');
  const decipher = crypto.createDecipheriv('aes-256-gcm', aesKey, bytes.subarray(0, NONCE_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch (error) {
    throw new QuidKeyError('the key does not decrypt it (authentication tag mismatch)', { cause: error });
  }
}

/** The inverse, as Quid does it: used by tests to build a Quid database. */
export function encryptQuidValue(plain: string, aesKey: Buffer): string {
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', aesKey, nonce);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('hex');
}

import crypto from 'node:crypto';

/** Names the key's use, so that a key derived for TOTP secrets serves nothing else. */
const INFO = 'jawth second-factor secrets v1';
const PREFIX = 'v1';
const keys = new Map<string, Buffer>();

/** A 256-bit key derived from SECRET_KEY by HKDF-SHA-256, cached per SECRET_KEY. */
function keyOf(secretKey: string): Buffer {
  let key = keys.get(secretKey);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', secretKey, '', INFO, 32));
    keys.set(secretKey, key);
  }
  return key;
}

/**
 * Seals a secret with AES-256-GCM under a fresh 96-bit nonce: `v1.<nonce>.<ciphertext>.<tag>`,
 * each base64url. What is stored, exported and imported; only SECRET_KEY opens it.
 */
export function seal(plain: string, secretKey: string): string {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyOf(secretKey), nonce);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const parts = [nonce, sealed, cipher.getAuthTag()].map((part) => part.toString('base64url'));
  return [PREFIX, ...parts].join('.');
}

/** Opens a sealed secret; throws when SECRET_KEY is not the one it was sealed with, or it was altered. */
export function open(sealed: string, secretKey: string): string {
  const [version, nonce, data, tag] = sealed.split('.');
  if (version !== PREFIX || !nonce || !data || !tag) throw new Error('not a sealed secret');
  const decipher = crypto.createDecipheriv('aes-256-gcm', keyOf(secretKey), Buffer.from(nonce, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

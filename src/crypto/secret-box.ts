import crypto from 'node:crypto';

/**
 * Names the key's use (HKDF's info), so that a key derived for TOTP secrets serves nothing else:
 * each kind of sealed secret has its own key.
 */
export const SECOND_FACTOR_SECRETS = 'jawth second-factor secrets v1';
export const WEBHOOK_SECRETS = 'jawth webhook signing secrets v1';
export const WEBHOOK_PAYLOADS = 'jawth webhook payloads v1';
export const MAIL_CONTENTS = 'jawth mail contents v1';
const PREFIX = 'v1';
const keys = new Map<string, Buffer>();

/** A 256-bit key derived from SECRET_KEY by HKDF-SHA-256, cached per use and SECRET_KEY. */
function keyOf(secretKey: string, info: string): Buffer {
  const id = JSON.stringify([info, secretKey]);
  let key = keys.get(id);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', secretKey, '', info, 32));
    keys.set(id, key);
  }
  return key;
}

/**
 * Seals a secret with AES-256-GCM under a fresh 96-bit nonce: `v1.<nonce>.<ciphertext>.<tag>`,
 * each base64url. What is stored, exported and imported; only SECRET_KEY opens it.
 */
export function seal(plain: string, secretKey: string, info: string = SECOND_FACTOR_SECRETS): string {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyOf(secretKey, info), nonce);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const parts = [nonce, sealed, cipher.getAuthTag()].map((part) => part.toString('base64url'));
  return [PREFIX, ...parts].join('.');
}

/** Opens a sealed secret; throws when SECRET_KEY is not the one it was sealed with, or it was altered. */
export function open(sealed: string, secretKey: string, info: string = SECOND_FACTOR_SECRETS): string {
  const [version, nonce, data, tag] = sealed.split('.');
  if (version !== PREFIX || !nonce || !data || !tag) throw new Error('not a sealed secret');
  const decipher = crypto.createDecipheriv('aes-256-gcm', keyOf(secretKey, info), Buffer.from(nonce, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

import crypto from 'node:crypto';

/**
 * Names the key's use (HKDF's info), so that a key derived for TOTP secrets serves nothing else:
 * each kind of sealed secret has its own key.
 */
export const SECOND_FACTOR_SECRETS = 'jawth second-factor secrets v1';
export const WEBHOOK_SECRETS = 'jawth webhook signing secrets v1';
export const WEBHOOK_PAYLOADS = 'jawth webhook payloads v1';
export const MAIL_CONTENTS = 'jawth mail contents v1';
export const APPLICATION_SECRETS = 'jawth application secrets v1';
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

/**
 * The mark of an application secret as stored (`sealed:v1.<nonce>.<ciphertext>.<tag>`). A mark
 * of its own rather than seal's `v1.`: a plain application secret is any text of 32 to 512
 * bytes, and one may well begin with `v1.` (set through the API, imported in a dump), while the
 * sealed form of every value, whatever it begins with, begins with `sealed:`. So migration 0017
 * tells a value it sealed already from a plain one by the value alone, and each of the three
 * columns (written at different moments: a rotation moves `secret` to `previous_secret`) says
 * what it holds without a flag column to keep in step.
 */
const SEALED_MARK = 'sealed:';

export const isSealedApplicationSecret = (stored: string): boolean => stored.startsWith(SEALED_MARK);

/** An application secret (signing, previous or refresh) as it is stored. */
export function sealApplicationSecret(plain: string, secretKey: string): string {
  return SEALED_MARK + seal(plain, secretKey, APPLICATION_SECRETS);
}

/** The plain application secret; throws when it is not sealed, or not with this SECRET_KEY. */
export function openApplicationSecret(stored: string, secretKey: string): string {
  if (!isSealedApplicationSecret(stored)) throw new Error('not a sealed application secret');
  return open(stored.slice(SEALED_MARK.length), secretKey, APPLICATION_SECRETS);
}

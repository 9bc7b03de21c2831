import crypto from 'node:crypto';

/** 32 random bytes as 64 hex characters: the HMAC key is this text (as Quid's keys are). */
export function randomSecret(): string {
  return crypto.randomBytes(32).toString('hex');
}

export function randomId(): string {
  return crypto.randomUUID();
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * Constant-time comparison of two strings. Both sides are hashed first so that neither the
 * content nor the length of the expected value leaks through timing.
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

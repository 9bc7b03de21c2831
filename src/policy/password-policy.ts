import { AppError } from '../errors';
import { MAX_PASSWORD_BYTES } from '../crypto/password';
import { isCommonPassword } from './common-passwords';

/** Checks the password policy (docs/api.md, Conventions); throws 400 with the field named. */
export function assertPasswordPolicy(password: string, minLength: number, field = 'password'): void {
  if ([...password].length < minLength) {
    throw new AppError('validation_failed', `The ${field} must be at least ${minLength} characters.`, [
      { field, message: `must be at least ${minLength} characters` },
    ]);
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new AppError('validation_failed', `The ${field} must be at most ${MAX_PASSWORD_BYTES} bytes of UTF-8.`, [
      { field, message: `must be at most ${MAX_PASSWORD_BYTES} bytes of UTF-8` },
    ]);
  }
  if (isCommonPassword(password)) {
    throw new AppError('weak_password', 'This password is one of the most common ones; choose another.', [
      { field, message: 'is too common' },
    ]);
  }
}

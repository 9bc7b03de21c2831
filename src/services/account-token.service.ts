import crypto from 'node:crypto';
import type { Transaction } from 'sequelize';
import { sha256 } from '../crypto/random';
import {
  findAccountToken,
  replaceAccountToken,
  type AccountTokenPurpose,
  type AccountTokenRecord,
} from '../db/account-token.repository';
import type { UserOfApplication } from '../db/user.repository';
import { AppError } from '../errors';
import type { Deps } from './deps';

/** A confirmation link works a day (mail can be slow); a reset link half an hour. */
export const ACCOUNT_TOKEN_TTL: Record<AccountTokenPurpose, number> = { confirm: 24 * 3600, reset: 30 * 60 };

const INVALID = 'The link is not valid: already used, expired, or replaced by a newer one.';

/** A new one-use token: 32 random bytes, of which only the SHA-256 is stored. */
export async function issueAccountToken(
  userId: number,
  purpose: AccountTokenPurpose,
  deps: Pick<Deps, 'db' | 'clock'>,
  transaction?: Transaction,
): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const now = deps.clock.now().getTime();
  const expiresAt = now + ACCOUNT_TOKEN_TTL[purpose] * 1000;
  await replaceAccountToken(
    deps.db,
    { tokenHash: sha256(token), purpose, userId, expiresAt, createdAt: now },
    transaction,
  );
  return { token, expiresAt: new Date(expiresAt) };
}

/**
 * The token's record and its user, when it was issued for this purpose to a user of this
 * application and has not expired; else 401 invalid_token (one answer for every reason).
 */
export async function readAccountToken(
  appName: string,
  token: string,
  purpose: AccountTokenPurpose,
  deps: Pick<Deps, 'db' | 'users' | 'clock'>,
): Promise<{ record: AccountTokenRecord; user: UserOfApplication }> {
  const record = await findAccountToken(deps.db, sha256(token));
  if (!record || record.purpose !== purpose || record.expiresAt <= deps.clock.now().getTime()) {
    throw new AppError('invalid_token', INVALID);
  }
  const user = await deps.users.findWithApplication(record.userId);
  if (!user || user.application.name !== appName) throw new AppError('invalid_token', INVALID);
  return { record, user };
}

/** The refusal of a token another request spent first (or that expired meanwhile). */
export const spentToken = () => new AppError('invalid_token', INVALID);

import crypto from 'node:crypto';
import type { Transaction } from '../db/transaction';
import { sha256 } from '../crypto/random';
import type { UserOfApplication } from '../db/user.repository';
import { AppError } from '../errors';
import type { Deps } from './deps';

/**
 * The one-use tokens of a sign-up confirmation and a password reset (one-use-token.repository.ts):
 * 32 random bytes, of which only the SHA-256 is stored, owned by the user.
 */
export type AccountTokenPurpose = 'confirm' | 'reset';

export interface AccountTokenRecord {
  tokenHash: string;
  purpose: AccountTokenPurpose;
  userId: number;
  expiresAt: number;
}

const ACCOUNT_PURPOSES: AccountTokenPurpose[] = ['confirm', 'reset'];

/** A confirmation link works a day (mail can be slow); a reset link half an hour. */
export const ACCOUNT_TOKEN_TTL: Record<AccountTokenPurpose, number> = { confirm: 24 * 3600, reset: 30 * 60 };

const INVALID = 'The link is not valid: already used, expired, or replaced by a newer one.';

/** A new one-use token: 32 random bytes, of which only the SHA-256 is stored. */
export async function issueAccountToken(
  userId: number,
  purpose: AccountTokenPurpose,
  deps: Pick<Deps, 'oneUseTokens' | 'clock'>,
  transaction?: Transaction,
): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const now = deps.clock.now().getTime();
  const expiresAt = now + ACCOUNT_TOKEN_TTL[purpose] * 1000;
  await deps.oneUseTokens.replace(
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
  deps: Pick<Deps, 'oneUseTokens' | 'users' | 'clock'>,
): Promise<{ record: AccountTokenRecord; user: UserOfApplication }> {
  const found = await deps.oneUseTokens.find(sha256(token), [purpose]);
  if (!found || found.userId === null || found.expiresAt <= deps.clock.now().getTime()) {
    throw new AppError('invalid_token', INVALID);
  }
  const record = { tokenHash: found.tokenHash, purpose, userId: found.userId, expiresAt: found.expiresAt };
  const user = await deps.users.findWithApplication(record.userId);
  if (!user || user.application.name !== appName) throw new AppError('invalid_token', INVALID);
  return { record, user };
}

/** The refusal of a token another request spent first (or that expired meanwhile). */
export const spentToken = () => new AppError('invalid_token', INVALID);

/** Spends a token still valid at `now`: of concurrent requests, the one whose DELETE removed the row. */
export async function spendAccountToken(
  deps: Pick<Deps, 'oneUseTokens'>,
  record: AccountTokenRecord,
  now: Date,
  transaction?: Transaction,
): Promise<boolean> {
  return (await deps.oneUseTokens.spend(record.tokenHash, record.purpose, now, transaction)) !== null;
}

/**
 * Drops every pending token of the user, confirmation and reset alike: a change of the user's
 * password, e-mail or `disabled` voids the links mailed before it (docs/api.md, Sign-up,
 * confirmation and recovery).
 */
export function voidAccountTokens(
  deps: Pick<Deps, 'oneUseTokens'>,
  userId: number,
  transaction?: Transaction,
): Promise<number> {
  return deps.oneUseTokens.void({ purposes: ACCOUNT_PURPOSES, userId }, transaction);
}

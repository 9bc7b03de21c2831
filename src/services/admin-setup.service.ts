import crypto from 'node:crypto';
import { hashPassword } from '../crypto/password';
import { assertPasswordPolicy } from '../policy/password-policy';
import { sha256 } from '../crypto/random';
import {
  findToken,
  issueToken,
  purgeExpiredTokens,
  spendTokenOfAll,
  voidTokens,
  type OneUsePurpose,
} from '../db/one-use-token.repository';
import { inTransaction } from '../db/transaction';
import { AppError } from '../errors';
import { adminUsername } from './admin-account.service';
import type { Deps } from './deps';

/** A setup link is valid for one hour and one use (docs/api.md, first-run setup). */
export const SETUP_TOKEN_TTL = 3600;

export interface SetupInput {
  token: string;
  username: string;
  password: string;
}

const invalidToken = () =>
  new AppError(
    'unauthorized',
    'The setup link is not valid: it is wrong, used or expired. Restart the server for a new one.',
  );

const adminExists = () =>
  new AppError('admin_exists', 'An admin account exists already: log in, or ask an admin to use `jawth init`.');

const SETUP: OneUsePurpose[] = ['admin_setup'];

/**
 * While no admin account exists, makes a setup token and stores only its SHA-256 with its expiry
 * (an `admin_setup` one-use token); the caller prints the link once. Once an account exists,
 * pending tokens are deleted and none is made. Expired ones are purged on the way.
 */
export async function createSetupToken(deps: Pick<Deps, 'db' | 'models' | 'clock'>): Promise<string | undefined> {
  const now = deps.clock.now();
  if ((await deps.models.AdminAccount.count()) > 0) {
    await voidTokens(deps.db, { purposes: SETUP });
    return undefined;
  }
  await purgeExpiredTokens(deps.db, now, SETUP);
  const token = crypto.randomBytes(32).toString('base64url');
  await issueToken(deps.db, {
    tokenHash: sha256(token),
    purpose: 'admin_setup',
    expiresAt: now.getTime() + SETUP_TOKEN_TTL * 1000,
    createdAt: now.getTime(),
  });
  return token;
}

/**
 * Spends a setup token on the first admin account. The token is looked up by its hash, so its
 * text is never compared. The spend takes every pending setup token with it
 * (`spendTokenOfAll`: locked in id order, so that two spends never deadlock) in the transaction
 * that creates the account: of concurrent requests, with the same token or with two instances'
 * tokens, exactly one creates an account; the others find no row left (401).
 */
export async function completeSetup(
  input: SetupInput,
  deps: Pick<Deps, 'db' | 'models' | 'clock' | 'config'>,
): Promise<void> {
  const { AdminAccount } = deps.models;
  if ((await AdminAccount.count()) > 0) {
    await voidTokens(deps.db, { purposes: SETUP });
    throw adminExists();
  }
  const tokenHash = sha256(input.token);
  const now = deps.clock.now();
  // Checked before bcrypt, so that a guess costs the server one indexed read, not a hash.
  const found = await findToken(deps.db, tokenHash, SETUP);
  if (!found || found.expiresAt <= now.getTime()) throw invalidToken();
  const username = adminUsername(input.username);
  assertPasswordPolicy(input.password, deps.config.passwordMinLength);
  const passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  await inTransaction(deps.db, async (transaction) => {
    if (!(await spendTokenOfAll(deps.db, tokenHash, 'admin_setup', now, transaction))) throw invalidToken();
    if ((await AdminAccount.count({ transaction })) > 0) throw adminExists();
    await AdminAccount.create({ username, passwordHash }, { transaction });
  });
}

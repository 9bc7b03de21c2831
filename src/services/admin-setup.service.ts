import crypto from 'node:crypto';
import { Op } from 'sequelize';
import { hashPassword } from '../crypto/password';
import { assertPasswordPolicy } from '../policy/password-policy';
import { sha256 } from '../crypto/random';
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

/**
 * While no admin account exists, makes a setup token and stores only its SHA-256 with its expiry;
 * the caller prints the link once. Once an account exists, pending tokens are deleted and none is
 * made. Expired ones are purged on the way.
 */
export async function createSetupToken(deps: Pick<Deps, 'models' | 'clock'>): Promise<string | undefined> {
  const { AdminAccount, AdminSetupToken } = deps.models;
  const now = deps.clock.now();
  if ((await AdminAccount.count()) > 0) {
    await AdminSetupToken.destroy({ where: {} });
    return undefined;
  }
  await AdminSetupToken.destroy({ where: { expiresAt: { [Op.lte]: now } } });
  const token = crypto.randomBytes(32).toString('base64url');
  await AdminSetupToken.create({
    tokenHash: sha256(token),
    expiresAt: new Date(now.getTime() + SETUP_TOKEN_TTL * 1000),
  });
  return token;
}

/**
 * Spends a setup token on the first admin account. The token is looked up by its hash, so its
 * text is never compared. The spend locks every pending token row (in id order, so that two
 * spends never deadlock), checks that this one is still there and live, and deletes them all in
 * the transaction that creates the account: of concurrent requests, with the same token or with
 * two instances' tokens, exactly one creates an account; the others find no row left (401).
 */
export async function completeSetup(
  input: SetupInput,
  deps: Pick<Deps, 'db' | 'models' | 'clock' | 'config'>,
): Promise<void> {
  const { AdminAccount, AdminSetupToken } = deps.models;
  if ((await AdminAccount.count()) > 0) {
    await AdminSetupToken.destroy({ where: {} });
    throw adminExists();
  }
  const tokenHash = sha256(input.token);
  const now = deps.clock.now();
  const live = { tokenHash, expiresAt: { [Op.gt]: now } };
  // Checked before bcrypt, so that a guess costs the server one indexed read, not a hash.
  if (!(await AdminSetupToken.findOne({ where: live }))) throw invalidToken();
  const username = adminUsername(input.username);
  assertPasswordPolicy(input.password, deps.config.passwordMinLength);
  const passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  await inTransaction(deps.db, async (transaction) => {
    const pending = await AdminSetupToken.findAll({
      order: [['id', 'ASC']],
      lock: transaction.LOCK.UPDATE,
      transaction,
    });
    const mine = pending.find((row) => row.tokenHash === tokenHash);
    if (!mine || mine.expiresAt <= now) throw invalidToken();
    if ((await AdminAccount.count({ transaction })) > 0) throw adminExists();
    await AdminSetupToken.destroy({ where: { id: pending.map((row) => row.id) }, transaction });
    await AdminAccount.create({ username, passwordHash }, { transaction });
  });
}

import { UniqueConstraintError } from 'sequelize';
import { hashPassword } from '../crypto/password';
import { assertPasswordPolicy } from '../policy/password-policy';
import { AppError } from '../errors';
import type { Config } from '../config/config';
import { usernameSchema } from '../schemas/common.schema';
import type { Deps } from './deps';

export type CreateAdminResult = { created: true; username: string } | { created: false; username: string };

export function countAdminAccounts(deps: Pick<Deps, 'models'>): Promise<number> {
  return deps.models.AdminAccount.count();
}

export async function adminAccountExists(username: string, deps: Pick<Deps, 'models'>): Promise<boolean> {
  return (await deps.models.AdminAccount.count({ where: { username } })) > 0;
}

/**
 * The rule for admin usernames, shared by `jawth init` and the first-run setup page: the name
 * as it is stored (NFC), or 400.
 */
export function adminUsername(username: string): string {
  const parsed = usernameSchema.safeParse(username);
  if (!parsed.success) {
    const rule = 'must be 1-128 characters without /, control or invisible characters';
    throw new AppError('validation_failed', `The admin username ${rule}.`, [{ field: 'username', message: rule }]);
  }
  return parsed.data;
}

/**
 * Creates an admin account unless one of that name exists (so `jawth init` can run twice).
 * The password meets the same policy as users' passwords and is stored only as a bcrypt hash.
 */
export async function ensureAdminAccount(
  username: string,
  password: string,
  config: Pick<Config, 'bcryptCost' | 'passwordMinLength'>,
  deps: Pick<Deps, 'models'>,
): Promise<CreateAdminResult> {
  const { AdminAccount } = deps.models;
  username = adminUsername(username);
  if (await AdminAccount.findOne({ where: { username } })) return { created: false, username };
  assertPasswordPolicy(password, config.passwordMinLength);
  const passwordHash = await hashPassword(password, config.bcryptCost);
  try {
    await AdminAccount.create({ username, passwordHash });
  } catch (error) {
    // Another `init` created it between the check and the insert: the account exists either way.
    if (error instanceof UniqueConstraintError) return { created: false, username };
    throw error;
  }
  return { created: true, username };
}

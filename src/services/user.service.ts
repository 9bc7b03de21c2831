import { Op, col, fn, where as sqlWhere, type Transaction, type WhereOptions } from 'sequelize';
import { hashPassword } from '../crypto/password';
import { assertPasswordPolicy } from '../policy/password-policy';
import { randomId } from '../crypto/random';
import { AppError, assertThat } from '../errors';
import type { Application, Group, Models, Org, User } from '../db/models';
import { revokeUserSessions } from '../db/session.repository';
import { inTransaction } from '../db/transaction';
import { usersByIds, type ListedUser } from '../db/user-list.repository';
import { underParent, uniquely } from '../db/unique';
import type { CreateUserInput, UpdateUserInput } from '../schemas/user.schema';
import type { UserResponse } from '../schemas/responses.schema';
import { voidAccountTokens } from './account-token.service';
import type { Deps } from './deps';
import { enqueueEvent } from './webhook-events.service';

/** Groups and orgs come with every user the API returns. */
export const memberships = (models: Pick<Models, 'Group' | 'Org'>) => [
  { model: models.Group, as: 'groups', attributes: ['name'], through: { attributes: [] } },
  { model: models.Org, as: 'orgs', attributes: ['name'], through: { attributes: [] } },
];

/** Anything that carries memberships: a User model, or a session's plain user record. */
export interface Members {
  groups?: { name: string }[];
  orgs?: { name: string }[];
}

export function memberNames(user: Members): { groups: string[]; orgs: string[] } {
  return {
    groups: (user.groups ?? []).map((g) => g.name).sort(),
    orgs: (user.orgs ?? []).map((o) => o.name).sort(),
  };
}

/** The fields that may leave the server; a new column cannot leak by accident. */
export function serializeUser(
  user: Pick<User, 'uid' | 'username' | 'role' | 'disabled' | 'email' | 'createdAt' | 'lastLoginAt'> & Members,
  appName: string,
): UserResponse {
  return {
    uid: user.uid,
    app: appName,
    username: user.username,
    role: user.role,
    ...memberNames(user),
    disabled: user.disabled,
    email: user.email ?? null,
    created_at: user.createdAt.toISOString(),
    last_login: user.lastLoginAt ? user.lastLoginAt.toISOString() : null,
  };
}

/**
 * `search` keeps usernames that contain it, ignoring case. A plain substring function rather
 * than LIKE, so that `%` and `_` in the search are ordinary characters on both databases.
 */
function usernameContains(search: string, deps: Pick<Deps, 'db'>) {
  const substringIndex = deps.db.getDialect() === 'postgres' ? 'strpos' : 'instr';
  return sqlWhere(fn(substringIndex, fn('lower', col('username')), search.toLowerCase()), Op.gt, 0);
}

export async function listUsers(
  where: { applicationId?: number; search?: string },
  limit: number,
  offset: number,
  deps: Pick<Deps, 'db' | 'models' | 'caches'>,
) {
  const filter: WhereOptions<User> = {
    ...(where.applicationId === undefined ? {} : { applicationId: where.applicationId }),
    ...(where.search ? { [Op.and]: [usernameContains(where.search, deps)] } : {}),
  };
  const [count, page] = await Promise.all([
    // Keyed by everything that filters the list, so that the total always counts what the list shows.
    deps.caches.userCounts.get(`${where.applicationId ?? 'all'}|${where.search ?? ''}`, () =>
      deps.models.User.count({ where: filter }),
    ),
    deps.models.User.findAll({ where: filter, order: [['id', 'ASC']], limit, offset, attributes: ['id'] }),
  ]);
  // Two steps so that the page is cut on users, not on user × group rows.
  return {
    count,
    rows: await loadUsers(
      page.map((u) => u.id),
      deps,
    ),
  };
}

/** Users by id, in id order, with memberships and their application's name. */
export function loadUsers(ids: number[], deps: Pick<Deps, 'db'>): Promise<ListedUser[]> {
  return usersByIds(deps.db, ids);
}

export async function findUser(app: Application, username: string, deps: Pick<Deps, 'models'>): Promise<User> {
  const { models } = deps;
  const user = await models.User.findOne({
    where: { applicationId: app.id, username },
    include: memberships(models),
  });
  assertThat(user, 'user_not_found', `No user "${username}" in application "${app.name}".`);
  return user;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function findUserByUid(uid: string, deps: Pick<Deps, 'models'>): Promise<User> {
  const { models } = deps;
  const user = UUID.test(uid)
    ? await models.User.findOne({
        where: { uid },
        include: [...memberships(models), { model: models.Application, as: 'application' }],
      })
    : null;
  assertThat(user, 'user_not_found', `No user has uid "${uid}".`);
  return user;
}

async function resolveNames<T extends Group | Org>(
  model: typeof Group | typeof Org,
  field: 'groups' | 'orgs',
  names: string[],
  where: Record<string, unknown>,
  transaction: Transaction,
): Promise<T[]> {
  const unique = [...new Set(names)];
  const rows = (await (model as typeof Group).findAll({
    where: { ...where, name: { [Op.in]: unique } },
    transaction,
  })) as T[];
  const missing = unique.filter((name) => !rows.some((row) => row.name === name));
  if (missing.length > 0) {
    throw new AppError('validation_failed', `Unknown ${field}: ${missing.join(', ')}.`, [
      { field, message: `unknown: ${missing.join(', ')}` },
    ]);
  }
  return rows;
}

async function setMemberships(
  user: User,
  app: Application,
  input: { groups?: string[]; orgs?: string[] },
  transaction: Transaction,
  models: Pick<Models, 'Group' | 'Org'>,
) {
  if (input.groups !== undefined) {
    const groups = await resolveNames<Group>(
      models.Group,
      'groups',
      input.groups,
      { applicationId: app.id },
      transaction,
    );
    await (user as unknown as { setGroups(g: Group[], o: object): Promise<void> }).setGroups(groups, { transaction });
  }
  if (input.orgs !== undefined) {
    const orgs = await resolveNames<Org>(models.Org, 'orgs', input.orgs, {}, transaction);
    await (user as unknown as { setOrgs(o: Org[], opt: object): Promise<void> }).setOrgs(orgs, { transaction });
  }
}

const duplicate = (username: string, app: Application) =>
  `A user "${username}" already exists in application "${app.name}".`;

/**
 * E-mail addresses are unique per application ignoring case: checked here for a clear answer; the
 * unique index on lower(email) settles a race (as the username's does).
 */
async function assertEmailFree(
  app: Application,
  email: string | null | undefined,
  exceptId: number | undefined,
  models: Pick<Models, 'User'>,
  transaction: Transaction,
): Promise<void> {
  if (!email) return;
  const taken = await models.User.findOne({
    where: {
      applicationId: app.id,
      [Op.and]: [sqlWhere(fn('lower', col('email')), email.toLowerCase())],
      ...(exceptId === undefined ? {} : { id: { [Op.ne]: exceptId } }),
    },
    attributes: ['id'],
    transaction,
  });
  if (taken) throw new AppError('email_taken', `Another user of application "${app.name}" has this e-mail address.`);
}

/** How a user comes to be besides an admin's request: a sign-up (disabled until confirmed), with a token row. */
export interface CreateOptions {
  disabled?: boolean;
  /** Runs in the creation's transaction before the insert (a sign-up removing the unconfirmed accounts it replaces). */
  beforeCreate?: (transaction: Transaction) => Promise<void>;
  /** Runs in the creation's transaction, with the new user. */
  afterCreate?: (user: User, transaction: Transaction) => Promise<void>;
}

export async function createUser(
  app: Application,
  input: CreateUserInput,
  deps: Pick<Deps, 'db' | 'models' | 'caches' | 'config' | 'clock'>,
  options: CreateOptions = {},
): Promise<User> {
  assertPasswordPolicy(input.password, deps.config.passwordMinLength);
  const passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  const create = () =>
    inTransaction(deps.db, async (transaction) => {
      await options.beforeCreate?.(transaction);
      await assertEmailFree(app, input.email, undefined, deps.models, transaction);
      const user = await deps.models.User.create(
        {
          uid: randomId(),
          applicationId: app.id,
          username: input.username,
          passwordHash,
          role: input.role ?? 'user',
          disabled: options.disabled ?? false,
          email: input.email ?? null,
          lastLoginAt: null,
          tokensValidAfter: null,
        },
        { transaction },
      );
      await setMemberships(user, app, input, transaction, deps.models);
      await enqueueEvent(deps, transaction, app, 'user.created', { ...userData(user), role: user.role });
      await options.afterCreate?.(user, transaction);
      // Read back in the transaction: the answer is what was committed, even when a concurrent
      // request (a sign-up replacing an unconfirmed account) deletes the user right after.
      return (await deps.models.User.findByPk(user.id, { include: memberships(deps.models), transaction })) as User;
    });
  try {
    // The application may be deleted between its lookup and this insert.
    return await underParent(
      () => uniquely(create, 'username_taken', duplicate(input.username, app)),
      'application_not_found',
      `No application is named "${app.name}".`,
    );
  } finally {
    deps.caches.userCounts.forget();
  }
}

export async function updateUser(
  user: User,
  app: Application,
  input: UpdateUserInput,
  deps: Pick<Deps, 'db' | 'models' | 'caches' | 'config' | 'clock'>,
) {
  if (input.password !== undefined) {
    assertPasswordPolicy(input.password, deps.config.passwordMinLength);
    user.passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  }
  const renamed = input.username !== undefined && input.username !== user.username;
  if (input.username !== undefined) user.username = input.username;
  if (input.role !== undefined) user.role = input.role;
  const banned = input.disabled === true && !user.disabled;
  // A new password, address or `disabled` voids every link mailed before it: a reset link must not
  // outlive a ban or reach an address the user left, nor a confirmation enable a banned account.
  const voidsLinks =
    input.password !== undefined ||
    input.disabled !== undefined ||
    (input.email !== undefined && input.email !== user.email);
  if (input.disabled !== undefined) user.disabled = input.disabled;
  if (input.email !== undefined) user.email = input.email;
  // A new password or a disabled account ends every session at once.
  const revoke = input.password !== undefined || input.disabled === true;
  const changes = Object.keys(input).sort();
  const save = () =>
    inTransaction(deps.db, async (transaction) => {
      if (input.email !== undefined) await assertEmailFree(app, input.email, user.id, deps.models, transaction);
      if (revoke) await endSessions(user, deps.clock.now(), deps, transaction);
      if (voidsLinks) await voidAccountTokens(deps.db, user.id, transaction);
      await user.save({ transaction });
      await setMemberships(user, app, input, transaction, deps.models);
      await enqueueEvent(deps, transaction, app, 'user.updated', { ...userData(user), changes });
      if (banned) await enqueueEvent(deps, transaction, app, 'user.disabled', userData(user));
      if (input.password !== undefined)
        await enqueueEvent(deps, transaction, app, 'user.password_changed', userData(user));
    });
  const gone = `User "${user.username}", its application or a group or org named was deleted meanwhile.`;
  await underParent(() => uniquely(save, 'username_taken', duplicate(user.username, app)), 'user_not_found', gone);
  // A new username can move the user in or out of a `?q=` search: its cached total is stale.
  if (renamed) deps.caches.userCounts.forget();
  return reload(user.id, gone, deps);
}

/**
 * Every refresh token and login token of the user stops working on jawth's endpoints; `event`
 * tells the application's webhooks why (an admin's revocation, or a new password).
 */
export async function revokeSessions(
  user: User,
  app: Pick<Application, 'id' | 'name'>,
  now: Date,
  deps: Pick<Deps, 'db' | 'models' | 'clock' | 'config'>,
  event: 'session.revoked' | 'user.password_changed' = 'session.revoked',
): Promise<void> {
  await inTransaction(deps.db, async (transaction) => {
    await endSessions(user, now, deps, transaction);
    // A new password (change_password) voids the reset and confirmation links mailed before it.
    if (event === 'user.password_changed') await voidAccountTokens(deps.db, user.id, transaction);
    await user.save({ transaction });
    await enqueueEvent(deps, transaction, app, event, {
      ...userData(user),
      ...(event === 'session.revoked' ? { session: null } : {}),
    });
  });
}

/** Who an event is about: never a password, a hash or a token. */
export function userData(user: Pick<User, 'uid' | 'username'>): Record<string, unknown> {
  return { uid: user.uid, username: user.username };
}

/** Marks the user's refresh tokens revoked and dates their login tokens out; the caller saves the user. */
export async function endSessions(
  user: User,
  now: Date,
  deps: Pick<Deps, 'db' | 'models'>,
  transaction: Transaction,
): Promise<void> {
  // Strictly after the latest login, even within its millisecond, so that its token is refused.
  const latest = user.lastLoginAt;
  user.tokensValidAfter = latest && latest >= now ? new Date(latest.getTime() + 1) : now;
  await revokeUserSessions(deps, user.id, now, { transaction });
}

export async function deleteUser(
  user: User,
  app: Pick<Application, 'id' | 'name'>,
  deps: Pick<Deps, 'db' | 'caches' | 'clock' | 'config'>,
): Promise<void> {
  try {
    await inTransaction(deps.db, async (transaction) => {
      await user.destroy({ transaction });
      await enqueueEvent(deps, transaction, app, 'user.deleted', userData(user));
    });
  } finally {
    deps.caches.userCounts.forget();
  }
}

/** The user as the API shows it; 404 when a concurrent delete (of it or its application) took it. */
async function reload(id: number, missing: string, deps: Pick<Deps, 'models'>): Promise<User> {
  const user = await deps.models.User.findByPk(id, { include: memberships(deps.models) });
  assertThat(user, 'user_not_found', missing);
  return user;
}

import { hashPassword } from '../crypto/password';
import { assertPasswordPolicy } from '../policy/password-policy';
import { randomId } from '../crypto/random';
import { AppError, assertThat } from '../errors';
import type { Application } from '../db/application.repository';
import type { User, UserChanges, UserFilter } from '../db/user.repository';
import type { ListedUser } from '../db/user-list.repository';
import { underParent, uniquely } from '../db/unique';
import type { CreateUserInput, UpdateUserInput } from '../schemas/user.schema';
import type { UserResponse } from '../schemas/responses.schema';
import { voidAccountTokens } from './account-token.service';
import type { Deps } from './deps';
import { enqueueEvent } from './webhook-events.service';
import { type Transaction, inTransaction } from '../db/transaction';

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

export async function listUsers(
  filter: UserFilter,
  limit: number,
  offset: number,
  deps: Pick<Deps, 'users' | 'caches'>,
) {
  const [count, rows] = await Promise.all([
    // Keyed by everything that filters the list, so that the total always counts what the list shows.
    deps.caches.userCounts.get(`${filter.applicationId ?? 'all'}|${filter.search ?? ''}`, () =>
      deps.users.count(filter),
    ),
    deps.users.page(filter, limit, offset),
  ]);
  return { count, rows };
}

/** Users by id, in id order, with memberships and their application's name. */
export function loadUsers(ids: number[], deps: Pick<Deps, 'users'>): Promise<ListedUser[]> {
  return deps.users.listed(ids);
}

export async function findUser(app: Application, username: string, deps: Pick<Deps, 'users'>): Promise<User> {
  const user = await deps.users.findByName(app.id, username);
  assertThat(user, 'user_not_found', `No user "${username}" in application "${app.name}".`);
  return user;
}

export async function findUserByUid(uid: string, deps: Pick<Deps, 'users'>) {
  const user = await deps.users.findByUid(uid);
  assertThat(user, 'user_not_found', `No user has uid "${uid}".`);
  return user;
}

async function setMemberships(
  user: Pick<User, 'id' | 'applicationId'>,
  input: { groups?: string[]; orgs?: string[] },
  transaction: Transaction,
  deps: Pick<Deps, 'users'>,
) {
  for (const kind of ['groups', 'orgs'] as const) {
    const names = input[kind];
    if (names === undefined) continue;
    const missing = await deps.users.setMemberships(user, kind, names, transaction);
    if (missing.length > 0) {
      throw new AppError('validation_failed', `Unknown ${kind}: ${missing.join(', ')}.`, [
        { field: kind, message: `unknown: ${missing.join(', ')}` },
      ]);
    }
  }
}

const duplicate = (username: string, app: Pick<Application, 'name'>) =>
  `A user "${username}" already exists in application "${app.name}".`;

/**
 * E-mail addresses are unique per application ignoring case: checked here for a clear answer; the
 * unique index on lower(email) settles a race (as the username's does).
 */
async function assertEmailFree(
  app: Pick<Application, 'id' | 'name'>,
  email: string | null | undefined,
  exceptId: number | undefined,
  deps: Pick<Deps, 'users'>,
  transaction: Transaction,
): Promise<void> {
  if (!email) return;
  if (await deps.users.emailTaken(app.id, email, exceptId, transaction))
    throw new AppError('email_taken', `Another user of application "${app.name}" has this e-mail address.`);
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
  deps: Pick<Deps, 'db' | 'users' | 'caches' | 'config' | 'clock' | 'deliveries' | 'webhooks'>,
  options: CreateOptions = {},
): Promise<User> {
  assertPasswordPolicy(input.password, deps.config.passwordMinLength);
  const passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  const create = () =>
    inTransaction(deps.db, async (transaction) => {
      await options.beforeCreate?.(transaction);
      await assertEmailFree(app, input.email, undefined, deps, transaction);
      const values = {
        uid: randomId(),
        applicationId: app.id,
        username: input.username,
        passwordHash,
        role: input.role ?? 'user',
        disabled: options.disabled ?? false,
        email: input.email ?? null,
      };
      const id = await deps.users.create(values, transaction);
      await setMemberships({ id, applicationId: app.id }, input, transaction, deps);
      // Read back in the transaction: the answer is what was committed, even when a concurrent
      // request (a sign-up replacing an unconfirmed account) deletes the user right after.
      const user = (await deps.users.findById(id, transaction)) as User;
      await enqueueEvent(deps, transaction, app, 'user.created', { ...userData(user), role: user.role });
      await options.afterCreate?.(user, transaction);
      return user;
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
  deps: Pick<
    Deps,
    'db' | 'users' | 'sessions' | 'caches' | 'config' | 'clock' | 'deliveries' | 'webhooks' | 'oneUseTokens'
  >,
) {
  const changes: UserChanges = {};
  if (input.password !== undefined) {
    assertPasswordPolicy(input.password, deps.config.passwordMinLength);
    changes.passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  }
  const renamed = input.username !== undefined && input.username !== user.username;
  if (input.username !== undefined) changes.username = input.username;
  if (input.role !== undefined) changes.role = input.role;
  const banned = input.disabled === true && !user.disabled;
  // A new password, address or `disabled` voids every link mailed before it: a reset link must not
  // outlive a ban or reach an address the user left, nor a confirmation enable a banned account.
  const voidsLinks =
    input.password !== undefined ||
    input.disabled !== undefined ||
    (input.email !== undefined && input.email !== user.email);
  if (input.disabled !== undefined) changes.disabled = input.disabled;
  if (input.email !== undefined) changes.email = input.email;
  // A new password or a disabled account ends every session at once.
  const revoke = input.password !== undefined || input.disabled === true;
  const listed = Object.keys(input).sort();
  const named = { ...user, ...changes };
  const save = () =>
    inTransaction(deps.db, async (transaction) => {
      if (input.email !== undefined) await assertEmailFree(app, input.email, user.id, deps, transaction);
      if (revoke) await endSessions(user, deps.clock.now(), deps, transaction);
      if (voidsLinks) await voidAccountTokens(deps, user.id, transaction);
      await deps.users.update(user.id, changes, transaction);
      await setMemberships(user, input, transaction, deps);
      await enqueueEvent(deps, transaction, app, 'user.updated', { ...userData(named), changes: listed });
      if (banned) await enqueueEvent(deps, transaction, app, 'user.disabled', userData(named));
      if (input.password !== undefined)
        await enqueueEvent(deps, transaction, app, 'user.password_changed', userData(named));
    });
  const gone = `User "${named.username}", its application or a group or org named was deleted meanwhile.`;
  await underParent(() => uniquely(save, 'username_taken', duplicate(named.username, app)), 'user_not_found', gone);
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
  deps: Pick<Deps, 'db' | 'users' | 'sessions' | 'clock' | 'config' | 'deliveries' | 'webhooks' | 'oneUseTokens'>,
  event: 'session.revoked' | 'user.password_changed' = 'session.revoked',
  changes: UserChanges = {},
): Promise<void> {
  await inTransaction(deps.db, async (transaction) => {
    await endSessions(user, now, deps, transaction);
    // A new password (change_password) voids the reset and confirmation links mailed before it.
    if (event === 'user.password_changed') await voidAccountTokens(deps, user.id, transaction);
    await deps.users.update(user.id, changes, transaction);
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

/**
 * Marks the user's refresh tokens revoked and dates their login tokens out (saved, and set on
 * `user` for what the caller does next).
 */
export async function endSessions(
  user: Pick<User, 'id' | 'lastLoginAt' | 'tokensValidAfter'>,
  now: Date,
  deps: Pick<Deps, 'db' | 'users' | 'sessions'>,
  transaction: Transaction,
): Promise<void> {
  // Strictly after the latest login, even within its millisecond, so that its token is refused.
  const latest = user.lastLoginAt;
  user.tokensValidAfter = latest && latest >= now ? new Date(latest.getTime() + 1) : now;
  await deps.sessions.revokeOfUser(user.id, now, { transaction });
  await deps.users.update(user.id, { tokensValidAfter: user.tokensValidAfter }, transaction);
}

export async function deleteUser(
  user: User,
  app: Pick<Application, 'id' | 'name'>,
  deps: Pick<Deps, 'db' | 'users' | 'caches' | 'clock' | 'config' | 'deliveries' | 'webhooks'>,
): Promise<void> {
  try {
    await inTransaction(deps.db, async (transaction) => {
      await deps.users.remove(user.id, transaction);
      await enqueueEvent(deps, transaction, app, 'user.deleted', userData(user));
    });
  } finally {
    deps.caches.userCounts.forget();
  }
}

/** The user as the API shows it; 404 when a concurrent delete (of it or its application) took it. */
async function reload(id: number, missing: string, deps: Pick<Deps, 'users'>): Promise<User> {
  const user = await deps.users.findById(id);
  assertThat(user, 'user_not_found', missing);
  return user;
}

import {
  Op,
  col,
  fn,
  where as sqlWhere,
  type CreationAttributes,
  type Sequelize,
  type Transaction,
  type WhereOptions,
} from 'sequelize';
import { decodedApplication, type Application } from './application.repository';
import type { Models, User as UserModel } from './models';
import { usersByIds, type ListedUser } from './user-list.repository';

/** A user as the services see it, with the names of its groups and orgs. */
export interface User {
  id: number;
  uid: string;
  applicationId: number;
  username: string;
  passwordHash: string;
  role: string;
  disabled: boolean;
  email: string | null;
  /** The time of the latest login: the `timestamp` claim that change_password checks. */
  lastLoginAt: Date | null;
  /** Login tokens issued before this instant no longer work on jawth's own endpoints. */
  tokensValidAfter: Date | null;
  createdAt: Date;
  updatedAt: Date;
  groups: { name: string }[];
  orgs: { name: string }[];
}

/** A user with its application, for the flows that start from a user (login, a mailed link). */
export interface UserOfApplication extends User {
  application: Application;
}

export type NewUser = Pick<User, 'uid' | 'applicationId' | 'username' | 'passwordHash' | 'role' | 'disabled' | 'email'>;
export type UserChanges = Partial<
  Pick<User, 'username' | 'passwordHash' | 'role' | 'disabled' | 'email' | 'lastLoginAt' | 'tokensValidAfter'>
>;

/** Which users a list shows: of one application, whose username contains `search` (ignoring case). */
export interface UserFilter {
  applicationId?: number;
  search?: string;
}

export interface UserRepository {
  findByName(applicationId: number, username: string): Promise<User | null>;
  /** By the user's application's name, in one query: the login's lookup. */
  findForLogin(appName: string, username: string): Promise<UserOfApplication | null>;
  findById(id: number, transaction?: Transaction): Promise<User | null>;
  findWithApplication(id: number): Promise<UserOfApplication | null>;
  findByUid(uid: string): Promise<UserOfApplication | null>;
  /** The application's user of this username, or of this e-mail address (ignoring case). */
  findByIdentifier(applicationId: number, by: { username: string } | { email: string }): Promise<User | null>;
  count(filter: UserFilter): Promise<number>;
  /** One page of users as the admin lists show them, in id order. */
  page(filter: UserFilter, limit: number, offset: number): Promise<ListedUser[]>;
  /** Users by id as the admin lists show them, in id order. */
  listed(ids: number[]): Promise<ListedUser[]>;
  /** Whether the user is disabled, or gone, as read in `transaction` (a reset checks it again as it writes). */
  isDisabled(id: number, transaction: Transaction): Promise<boolean>;
  /** Whether another user of the application has this address, ignoring case. */
  emailTaken(
    applicationId: number,
    email: string,
    exceptId: number | undefined,
    transaction: Transaction,
  ): Promise<boolean>;
  /** Throws Sequelize's UniqueConstraintError or ForeignKeyConstraintError (db/unique.ts). */
  create(values: NewUser, transaction: Transaction): Promise<number>;
  update(id: number, changes: UserChanges, transaction?: Transaction): Promise<void>;
  /**
   * Makes these the user's groups (of its application) or orgs; the names that name none are
   * returned, and then nothing changed.
   */
  setMemberships(
    user: Pick<User, 'id' | 'applicationId'>,
    kind: 'groups' | 'orgs',
    names: string[],
    transaction: Transaction,
  ): Promise<string[]>;
  remove(id: number, transaction: Transaction): Promise<void>;
}

/** A user's own columns, without its memberships (the dump reads those apart, db/dump.repository.ts). */
export function userColumns(row: UserModel): Omit<User, 'groups' | 'orgs'> {
  return {
    id: row.id,
    uid: row.uid,
    applicationId: row.applicationId,
    username: row.username,
    passwordHash: row.passwordHash,
    role: row.role,
    disabled: row.disabled,
    email: row.email ?? null,
    lastLoginAt: row.lastLoginAt,
    tokensValidAfter: row.tokensValidAfter,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function decoded(row: UserModel): User {
  return {
    ...userColumns(row),
    groups: (row.groups ?? []).map((g) => ({ name: g.name })),
    orgs: (row.orgs ?? []).map((o) => ({ name: o.name })),
  };
}

function withApplication(row: UserModel): UserOfApplication {
  if (!row.application) throw new Error('user read without its application');
  return { ...decoded(row), application: decodedApplication(row.application) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The users table of one connection, with the memberships and applications it reads alongside. */
export function userRepository(db: Sequelize, models: Models): UserRepository {
  const { User, Group, Org, Application } = models;
  const memberships = [
    { model: Group, as: 'groups', attributes: ['name'], through: { attributes: [] } },
    { model: Org, as: 'orgs', attributes: ['name'], through: { attributes: [] } },
  ];
  const application = { model: Application, as: 'application', required: true };

  // A plain substring function rather than LIKE, so that `%` and `_` in a search are ordinary
  // characters on both databases.
  const substringIndex = db.getDialect() === 'postgres' ? 'strpos' : 'instr';
  const filtered = (filter: UserFilter): WhereOptions<UserModel> => ({
    ...(filter.applicationId === undefined ? {} : { applicationId: filter.applicationId }),
    ...(filter.search
      ? {
          [Op.and]: [sqlWhere(fn(substringIndex, fn('lower', col('username')), filter.search.toLowerCase()), Op.gt, 0)],
        }
      : {}),
  });

  return {
    async findByName(applicationId, username) {
      const row = await User.findOne({ where: { applicationId, username }, include: memberships });
      return row && decoded(row);
    },
    async findForLogin(appName, username) {
      const row = await User.findOne({
        where: { username },
        include: [{ ...application, where: { name: appName } }, ...memberships],
      });
      return row && withApplication(row);
    },
    async findById(id, transaction) {
      const row = await User.findByPk(id, { include: memberships, transaction });
      return row && decoded(row);
    },
    async findWithApplication(id) {
      const row = await User.findByPk(id, { include: [application, ...memberships] });
      return row && withApplication(row);
    },
    async findByUid(uid) {
      if (!UUID.test(uid)) return null;
      const row = await User.findOne({ where: { uid }, include: [application, ...memberships] });
      return row && withApplication(row);
    },
    async findByIdentifier(applicationId, by) {
      const where =
        'username' in by
          ? { applicationId, username: by.username }
          : { applicationId, [Op.and]: [sqlWhere(fn('lower', col('email')), by.email.toLowerCase())] };
      const row = await User.findOne({ where, include: memberships });
      return row && decoded(row);
    },
    count(filter) {
      return User.count({ where: filtered(filter) });
    },
    async page(filter, limit, offset) {
      // Two steps so that the page is cut on users, not on user × group rows.
      const ids = await User.findAll({
        where: filtered(filter),
        order: [['id', 'ASC']],
        limit,
        offset,
        attributes: ['id'],
      });
      return usersByIds(
        db,
        ids.map((u) => u.id),
      );
    },
    listed(ids) {
      return usersByIds(db, ids);
    },
    async isDisabled(id, transaction) {
      const row = await User.findByPk(id, { attributes: ['disabled'], transaction });
      return row === null || row.disabled;
    },
    async emailTaken(applicationId, email, exceptId, transaction) {
      const taken = await User.findOne({
        where: {
          applicationId,
          [Op.and]: [sqlWhere(fn('lower', col('email')), email.toLowerCase())],
          ...(exceptId === undefined ? {} : { id: { [Op.ne]: exceptId } }),
        },
        attributes: ['id'],
        transaction,
      });
      return taken !== null;
    },
    async create(values, transaction) {
      const row = await User.create(
        { ...values, lastLoginAt: null, tokensValidAfter: null } as CreationAttributes<UserModel>,
        { transaction },
      );
      return row.id;
    },
    async update(id, changes, transaction) {
      if (Object.keys(changes).length > 0) await User.update(changes, { where: { id }, transaction });
    },
    async setMemberships(user, kind, names, transaction) {
      const unique = [...new Set(names)];
      const rows =
        kind === 'groups'
          ? await Group.findAll({
              where: { applicationId: user.applicationId, name: { [Op.in]: unique } },
              transaction,
            })
          : await Org.findAll({ where: { name: { [Op.in]: unique } }, transaction });
      const missing = unique.filter((name) => !rows.some((row) => row.name === name));
      if (missing.length > 0) return missing;
      const member = User.build({ id: user.id } as CreationAttributes<UserModel>, { isNewRecord: false });
      const setter = kind === 'groups' ? 'setGroups' : 'setOrgs';
      await (member as unknown as Record<string, (rows: unknown[], options: object) => Promise<void>>)[setter](rows, {
        transaction,
      });
      return [];
    },
    async remove(id, transaction) {
      await User.destroy({ where: { id }, transaction });
    },
  };
}

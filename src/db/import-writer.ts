import { Op, col, fn, where as sqlWhere, type Sequelize, type Transaction } from 'sequelize';
import type { Application } from './application.repository';
import { inTransaction } from './transaction';
import type { Models } from './models';
import { insertFactor, type DumpedFactor } from './second-factor-dump.repository';

/** An application as an import writes it: its secrets already sealed; what is left out takes the column's default. */
export type ImportedApplication = Pick<
  Application,
  | 'name'
  | 'secret'
  | 'previousSecret'
  | 'previousSecretExpiresAt'
  | 'refreshSecret'
  | 'accessTtl'
  | 'accessTtlMax'
  | 'refreshTtlMax'
  | 'corsOrigins'
  | 'audience'
> &
  Partial<
    Pick<
      Application,
      'secretVersion' | 'mfa' | 'signup' | 'recovery' | 'publicUrl' | 'mailTemplates' | 'createdAt' | 'updatedAt'
    >
  >;

/** A user as an import writes it; a time left out is the database's now, the role left out its default. */
export interface ImportedUser {
  uid: string;
  username: string;
  passwordHash: string;
  role?: string;
  disabled: boolean;
  email?: string | null;
  lastLoginAt: Date | null;
  tokensValidAfter: Date | null;
  createdAt?: Date;
  updatedAt?: Date;
}

/** The users of an application that clash with new ones: by username there, or by uid anywhere. */
export interface ClashingUser {
  applicationId: number;
  username: string;
  uid: string;
}

export type MembershipTable = 'user_groups' | 'user_orgs';

const SLICE = 1000;

/**
 * The writes of the dump and Quid imports (and the reads that find what is already here), by
 * natural key: application name, org name, application + group name, application + username.
 * Made by importWriter (each statement on its own) or inside inImportTransaction.
 */
export interface ImportWriter {
  applicationId(name: string): Promise<number | undefined>;
  /** Created with the model's checks (create); returns its id. */
  createApplication(values: ImportedApplication): Promise<number>;
  /** Written as given, its times kept (bulk insert). */
  insertApplication(values: ImportedApplication): Promise<void>;
  /** Its users, groups, memberships and sessions go with it (ON DELETE CASCADE). */
  removeApplication(name: string): Promise<void>;
  /** Id by name: of these orgs, or of all. */
  orgIds(names?: string[]): Promise<Map<string, number>>;
  insertOrgs(orgs: { name: string; createdAt?: Date }[]): Promise<void>;
  /** Id by name of the application's groups: of this one, or of all. */
  groupIds(applicationId: number, name?: string): Promise<Map<string, number>>;
  insertGroups(applicationId: number, groups: { name: string; createdAt?: Date }[]): Promise<void>;
  clashingUsers(applicationId: number, usernames: string[], uids: string[]): Promise<ClashingUser[]>;
  /** The addresses (lower case) of these already held by a user of the application. */
  takenEmails(applicationId: number, emailsLowerCase: string[]): Promise<Set<string>>;
  /** Writes the users (in slices); returns the new ids by username. */
  insertUsers(applicationId: number, users: ImportedUser[]): Promise<Map<string, number>>;
  /** Rows of user_groups (`group_id`) or user_orgs (`org_id`), in slices. */
  insertMemberships(table: MembershipTable, rows: Record<string, number>[]): Promise<void>;
  insertFactor(userId: number, factor: DumpedFactor, now: Date): Promise<void>;
}

type Connection = { db: Sequelize; models: Models };

/** Runs `work` in one write transaction (db/transaction.ts), its writer's statements in it. */
export function inImportTransaction<T>(store: Connection, work: (writer: ImportWriter) => Promise<T>): Promise<T> {
  return inTransaction(store.db, (transaction) => work(importWriter(store, transaction)));
}

function encodedApplication(values: ImportedApplication) {
  const { corsOrigins, mailTemplates, ...rest } = values;
  return {
    ...rest,
    corsOrigins: JSON.stringify(corsOrigins),
    ...(mailTemplates === undefined ? {} : { mailTemplates: mailTemplates ? JSON.stringify(mailTemplates) : null }),
  };
}

function definedOnly<T extends object>(values: T): T {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as T;
}

export function importWriter({ db, models }: Connection, transaction?: Transaction): ImportWriter {
  const { Application, Group, Org, User } = models;
  return {
    async applicationId(name) {
      const app = await Application.findOne({ where: { name }, attributes: ['id'], transaction });
      return app?.id;
    },
    async createApplication(values) {
      return (await Application.create(encodedApplication(values), { transaction })).id;
    },
    async insertApplication(values) {
      await Application.bulkCreate([encodedApplication(values)], { transaction });
    },
    async removeApplication(name) {
      await Application.destroy({ where: { name }, transaction });
    },
    async orgIds(names) {
      const rows = await Org.findAll({
        where: names === undefined ? {} : { name: { [Op.in]: names } },
        attributes: ['id', 'name'],
        transaction,
      });
      return new Map(rows.map((o) => [o.name, o.id]));
    },
    async insertOrgs(orgs) {
      await Org.bulkCreate(orgs.map(definedOnly), { transaction });
    },
    async groupIds(applicationId, name) {
      const rows = await Group.findAll({
        where: name === undefined ? { applicationId } : { applicationId, name },
        attributes: ['id', 'name'],
        transaction,
      });
      return new Map(rows.map((g) => [g.name, g.id]));
    },
    async insertGroups(applicationId, groups) {
      await Group.bulkCreate(
        groups.map((g) => definedOnly({ applicationId, ...g })),
        { transaction },
      );
    },
    async clashingUsers(applicationId, usernames, uids) {
      const rows = await User.findAll({
        where: {
          [Op.or]: [{ applicationId, username: { [Op.in]: usernames } }, { uid: { [Op.in]: uids } }],
        },
        attributes: ['applicationId', 'username', 'uid'],
        transaction,
      });
      return rows.map((u) => ({ applicationId: u.applicationId, username: u.username, uid: u.uid }));
    },
    async takenEmails(applicationId, emails) {
      if (emails.length === 0) return new Set();
      const holders = await User.findAll({
        where: { applicationId, [Op.and]: [sqlWhere(fn('lower', col('email')), { [Op.in]: emails })] },
        attributes: ['email'],
        transaction,
      });
      return new Set(holders.map((u) => (u.email ?? '').toLowerCase()));
    },
    async insertUsers(applicationId, users) {
      const ids = new Map<string, number>();
      for (let i = 0; i < users.length; i += SLICE) {
        const slice = users.slice(i, i + SLICE);
        const created = await User.bulkCreate(
          slice.map((u) => definedOnly({ ...u, applicationId })),
          { transaction },
        );
        // PostgreSQL returns the new ids (RETURNING); SQLite's bulk insert does not, so they are read back.
        const rows =
          db.getDialect() === 'postgres'
            ? created
            : await User.findAll({
                where: { applicationId, username: { [Op.in]: slice.map((u) => u.username) } },
                attributes: ['id', 'username'],
                transaction,
              });
        for (const row of rows) ids.set(row.username, row.id);
      }
      return ids;
    },
    async insertMemberships(table, rows) {
      const queryInterface = db.getQueryInterface();
      for (let i = 0; i < rows.length; i += SLICE) {
        await queryInterface.bulkInsert(table, rows.slice(i, i + SLICE), { transaction });
      }
    },
    async insertFactor(userId, factor, now) {
      if (!transaction) throw new Error('insertFactor runs in an import transaction');
      await insertFactor(db, userId, factor, now, transaction);
    },
  };
}

import { Op, QueryTypes, Transaction, type Sequelize, type WhereOptions } from 'sequelize';
import { decodedApplication, type Application } from './application.repository';
import { keysForDump } from './application-key.repository';
import type { Models } from './models';
import { userColumns, type User } from './user.repository';
import { factorsOfUsers, type DumpedFactor } from './second-factor-dump.repository';

export type { DumpedFactor };

/** A row of orgs or groups as the dump writes it. */
export interface DumpedOrg {
  id: number;
  name: string;
  createdAt: Date;
}

export interface DumpedGroup extends DumpedOrg {
  applicationId: number;
}

/** A user's own columns, without its memberships (DumpSnapshot.memberships). */
export type DumpedUser = Omit<User, 'groups' | 'orgs'>;

export interface DumpedKey {
  id: string;
  applicationId: number;
  hash: string;
  label: string;
  scopes: string[];
  createdAt: Date;
}

export type Memberships = Map<number, { groups: string[]; orgs: string[] }>;

/**
 * The reads of an export, all in one snapshot. The pages are keyset pages on id (the rows after
 * `after`, at most `limit`, in id order); `applicationId` keeps to one application (orgs: those
 * some of its users belong to).
 */
export interface DumpSnapshot {
  /** All applications, or the one of this name, in id order. */
  applications(name?: string): Promise<Application[]>;
  keys(applicationIds: number[]): Promise<DumpedKey[]>;
  orgPage(after: number, limit: number, applicationId?: number): Promise<DumpedOrg[]>;
  groupPage(after: number, limit: number, applicationId?: number): Promise<DumpedGroup[]>;
  userCount(applicationId?: number): Promise<number>;
  userPage(after: number, limit: number, applicationId?: number): Promise<DumpedUser[]>;
  /** The names of the groups and orgs of each of these users (every id present, in no order). */
  memberships(userIds: number[]): Promise<Memberships>;
  factors(userIds: number[]): Promise<Map<number, DumpedFactor>>;
}

/**
 * Runs `read` in one REPEATABLE READ transaction: a user written during the export cannot name a
 * group the dump does not hold.
 */
export function inDumpSnapshot<T>(
  store: { db: Sequelize; models: Models },
  read: (snapshot: DumpSnapshot) => Promise<T>,
): Promise<T> {
  const isolationLevel = Transaction.ISOLATION_LEVELS.REPEATABLE_READ;
  return store.db.transaction({ isolationLevel }, (transaction) => read(dumpSnapshot(store, transaction)));
}

function dumpSnapshot({ db, models }: { db: Sequelize; models: Models }, transaction: Transaction): DumpSnapshot {
  const byApp = (applicationId?: number): WhereOptions => (applicationId === undefined ? {} : { applicationId });
  return {
    async applications(name) {
      const rows = await models.Application.findAll({
        where: name === undefined ? {} : { name },
        order: [['id', 'ASC']],
        transaction,
      });
      return rows.map(decodedApplication);
    },
    keys: (applicationIds) => keysForDump(db, applicationIds, transaction),
    async orgPage(after, limit, applicationId) {
      const id =
        applicationId === undefined
          ? { [Op.gt]: after }
          : {
              [Op.gt]: after,
              [Op.in]: db.literal(
                `(SELECT uo.org_id FROM user_orgs uo JOIN users u ON u.id = uo.user_id WHERE u.application_id = ${Number(applicationId)})`,
              ),
            };
      const rows = await models.Org.findAll({ where: { id }, order: [['id', 'ASC']], limit, transaction });
      return rows.map((o) => ({ id: o.id, name: o.name, createdAt: o.createdAt }));
    },
    async groupPage(after, limit, applicationId) {
      const rows = await models.Group.findAll({
        where: { ...byApp(applicationId), id: { [Op.gt]: after } },
        order: [['id', 'ASC']],
        limit,
        transaction,
      });
      return rows.map((g) => ({ id: g.id, applicationId: g.applicationId, name: g.name, createdAt: g.createdAt }));
    },
    userCount: (applicationId) => models.User.count({ where: byApp(applicationId), transaction }),
    async userPage(after, limit, applicationId) {
      const rows = await models.User.findAll({
        where: { ...byApp(applicationId), id: { [Op.gt]: after } },
        order: [['id', 'ASC']],
        limit,
        transaction,
      });
      return rows.map(userColumns);
    },
    memberships: (userIds) => membershipsOf(db, transaction, userIds),
    factors: (userIds) => factorsOfUsers(db, userIds, transaction),
  };
}

async function membershipsOf(db: Sequelize, transaction: Transaction, userIds: number[]): Promise<Memberships> {
  const result: Memberships = new Map(userIds.map((id) => [id, { groups: [], orgs: [] }]));
  if (userIds.length === 0) return result;
  const query = (sql: string) =>
    db.query<{ user_id: number; name: string }>(sql, {
      replacements: { ids: userIds },
      type: QueryTypes.SELECT,
      transaction,
    });
  const groups = await query(
    'SELECT ug.user_id, g.name FROM user_groups ug JOIN "groups" g ON g.id = ug.group_id WHERE ug.user_id IN (:ids)',
  );
  const orgs = await query(
    'SELECT uo.user_id, o.name FROM user_orgs uo JOIN orgs o ON o.id = uo.org_id WHERE uo.user_id IN (:ids)',
  );
  for (const row of groups) result.get(Number(row.user_id))?.groups.push(row.name);
  for (const row of orgs) result.get(Number(row.user_id))?.orgs.push(row.name);
  return result;
}

import { QueryTypes, type Sequelize } from 'sequelize';
import type { Models } from './models';

/** A group (of one application, `applicationId`) or an org (global, none). */
export interface Membership {
  id: number;
  applicationId: number | null;
  name: string;
  createdAt: Date;
}

/** Where a group or org is looked for: the groups of one application, or the orgs. */
export type MembershipScope = { kind: 'group'; applicationId: number } | { kind: 'org' };

export interface GroupRepository {
  /** A page in name order, with the total. */
  list(scope: MembershipScope, limit: number, offset: number): Promise<{ count: number; rows: Membership[] }>;
  find(scope: MembershipScope, name: string): Promise<Membership | null>;
  /** Throws Sequelize's UniqueConstraintError or ForeignKeyConstraintError (db/unique.ts). */
  create(scope: MembershipScope, name: string): Promise<Membership>;
  /** Its members lose it (ON DELETE CASCADE on the link table). */
  remove(scope: MembershipScope, id: number): Promise<void>;
  /** The ids of one page of its members, in id order, with their total. */
  memberIds(
    scope: MembershipScope,
    id: number,
    limit: number,
    offset: number,
  ): Promise<{ count: number; ids: number[] }>;
}

interface Row {
  id: number;
  applicationId?: number;
  name: string;
  createdAt: Date;
}

const decoded = (row: Row): Membership => ({
  id: row.id,
  applicationId: row.applicationId ?? null,
  name: row.name,
  createdAt: row.createdAt,
});

/** The groups and orgs tables of one connection. */
export function groupRepository(db: Sequelize, models: Pick<Models, 'Group' | 'Org'>): GroupRepository {
  const { Group, Org } = models;
  const where = (scope: MembershipScope) => (scope.kind === 'group' ? { applicationId: scope.applicationId } : {});
  return {
    async list(scope, limit, offset) {
      const options = { where: where(scope), order: [['name', 'ASC']] as [string, string][], limit, offset };
      const { count, rows } =
        scope.kind === 'group' ? await Group.findAndCountAll(options) : await Org.findAndCountAll(options);
      return { count, rows: rows.map(decoded) };
    },
    async find(scope, name) {
      const row =
        scope.kind === 'group'
          ? await Group.findOne({ where: { ...where(scope), name } })
          : await Org.findOne({ where: { name } });
      return row && decoded(row);
    },
    async create(scope, name) {
      return decoded(
        scope.kind === 'group'
          ? await Group.create({ applicationId: scope.applicationId, name })
          : await Org.create({ name }),
      );
    },
    async remove(scope, id) {
      await (scope.kind === 'group' ? Group.destroy({ where: { id } }) : Org.destroy({ where: { id } }));
    },
    async memberIds(scope, id, limit, offset) {
      // The link tables alone: a member's row is its user's id.
      const [table, column] = scope.kind === 'group' ? ['user_groups', 'group_id'] : ['user_orgs', 'org_id'];
      const [counted, rows] = await Promise.all([
        db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = $1`, {
          bind: [id],
          type: QueryTypes.SELECT,
        }),
        db.query<{ user_id: number | string }>(
          `SELECT user_id FROM ${table} WHERE ${column} = $1 ORDER BY user_id LIMIT $2 OFFSET $3`,
          { bind: [id, limit, offset], type: QueryTypes.SELECT },
        ),
      ]);
      return { count: Number(counted[0]?.n ?? 0), ids: rows.map((row) => Number(row.user_id)) };
    },
  };
}

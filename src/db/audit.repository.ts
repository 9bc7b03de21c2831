import { Op, type WhereOptions } from 'sequelize';
import type { AuditEntry as AuditEntryModel, Models } from './models';

/** One line of the audit log, `detail` decoded. */
export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  action: string;
  app: string | null;
  target: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** Which entries a list shows: `since` keeps those at or after that time. */
export interface AuditFilter {
  app?: string;
  action?: string;
  since?: Date;
}

export interface AuditRepository {
  /** The new entry's id. */
  append(entry: NewAuditEntry): Promise<number>;
  setDetail(id: number, detail: Record<string, unknown>): Promise<void>;
  /** Newest first, with the total. */
  list(filter: AuditFilter, limit: number, offset: number): Promise<{ rows: AuditEntry[]; count: number }>;
  /** The newest entries that were refused by a rate limit or are of these actions. */
  recentSecurityEvents(filter: { actions: readonly string[]; app?: string }, limit: number): Promise<AuditEntry[]>;
  /** Deletes entries older than `cutoff`; how many went. */
  pruneBefore(cutoff: Date): Promise<number>;
}

const NEWEST_FIRST: [string, string][] = [
  ['at', 'DESC'],
  ['id', 'DESC'],
];

function decoded(row: AuditEntryModel): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    app: row.app,
    target: row.target,
    ip: row.ip,
    userAgent: row.userAgent,
    outcome: row.outcome,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
  };
}

/** The audit log of one connection. */
export function auditRepository(models: Pick<Models, 'AuditEntry'>): AuditRepository {
  const { AuditEntry } = models;
  return {
    async append(entry) {
      const row = await AuditEntry.create({ ...entry, detail: entry.detail ? JSON.stringify(entry.detail) : null });
      return row.id;
    },
    async setDetail(id, detail) {
      await AuditEntry.update({ detail: JSON.stringify(detail) }, { where: { id } });
    },
    async list(filter, limit, offset) {
      const where: WhereOptions<AuditEntryModel> = {
        ...(filter.app ? { app: filter.app } : {}),
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.since ? { at: { [Op.gte]: filter.since } } : {}),
      };
      const [rows, count] = await Promise.all([
        AuditEntry.findAll({ where, order: NEWEST_FIRST, limit, offset }),
        AuditEntry.count({ where }),
      ]);
      return { rows: rows.map(decoded), count: Number(count) };
    },
    async recentSecurityEvents(filter, limit) {
      const rows = await AuditEntry.findAll({
        where: {
          [Op.or]: [{ outcome: 'rate_limited' }, { action: { [Op.in]: [...filter.actions] } }],
          ...(filter.app === undefined ? {} : { app: filter.app }),
        },
        order: NEWEST_FIRST,
        limit,
      });
      return rows.map(decoded);
    },
    pruneBefore(cutoff) {
      return AuditEntry.destroy({ where: { at: { [Op.lt]: cutoff } } });
    },
  };
}

import { Op, type WhereOptions } from 'sequelize';
import type { AuditEntry } from '../db/models';
import type { AuditQuery } from '../schemas/audit.schema';
import type { AuditEntryResponse } from '../schemas/responses.schema';
import type { Deps } from './deps';

/** What the CLI records when it moves a whole database in or out (no HTTP route does). */
export const DATA_MOVE_ACTIONS = ['import.dump', 'import.quid', 'export.dump'] as const;

/** What the token service records itself, beside its route's entry: a spent refresh token used again. */
export const REFRESH_REUSE_ACTION = 'refresh.reuse';

export type AuditOutcome = 'success' | 'failure' | 'rate_limited' | 'overloaded' | 'error';

/** What a caller records. `detail` must never hold a password, a token or a secret. */
export interface AuditInput {
  actor: string;
  action: string;
  outcome: AuditOutcome;
  app?: string | null;
  target?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
}

/** Keys whose values are never written, wherever they appear in `detail`. */
const SECRET_KEYS = /password|secret|token|authorization|^auth$|hash/i;

export function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_KEYS.test(key) ? '[redacted]' : scrub(inner)]),
    );
  }
  return value;
}

const cut = (text: string | null | undefined, max: number) => (text ? text.slice(0, max) : null);

/**
 * Writes one audit entry and returns its id. An audit failure is logged and never turns a login or an admin
 * change into an error: the action already happened, and refusing the answer would hide it.
 */
export async function recordAudit(
  input: AuditInput,
  deps: Pick<Deps, 'models' | 'clock' | 'logger'>,
): Promise<number | undefined> {
  try {
    const entry = await deps.models.AuditEntry.create({
      at: deps.clock.now(),
      actor: cut(input.actor, 255) ?? 'unknown',
      action: input.action.slice(0, 64),
      app: cut(input.app, 63),
      target: cut(input.target, 255),
      ip: cut(input.ip, 64),
      userAgent: cut(input.userAgent, 255),
      outcome: input.outcome,
      detail: input.detail ? JSON.stringify(scrub(input.detail)) : null,
    });
    return entry.id;
  } catch (error) {
    deps.logger.error({ err: error, action: input.action }, 'could not write the audit log');
    return undefined;
  }
}

export function serializeAuditEntry(entry: AuditEntry): AuditEntryResponse {
  return {
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    app: entry.app,
    target: entry.target,
    ip: entry.ip,
    user_agent: entry.userAgent,
    outcome: entry.outcome,
    detail: entry.detail ? (JSON.parse(entry.detail) as Record<string, unknown>) : null,
  };
}

/** Newest first; `since` keeps entries at or after that time. */
export async function listAudit(
  query: AuditQuery,
  deps: Pick<Deps, 'models'>,
): Promise<{ rows: AuditEntry[]; count: number }> {
  const { AuditEntry } = deps.models;
  const where: WhereOptions<AuditEntry> = {
    ...(query.app ? { app: query.app } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.since ? { at: { [Op.gte]: new Date(query.since) } } : {}),
  };
  const [rows, count] = await Promise.all([
    AuditEntry.findAll({
      where,
      order: [
        ['at', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: query.limit,
      offset: query.offset,
    }),
    AuditEntry.count({ where }),
  ]);
  return { rows, count: Number(count) };
}

/** Deletes entries older than AUDIT_RETENTION; returns how many went. */
export async function pruneAudit(deps: Pick<Deps, 'models' | 'clock' | 'config'>): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - deps.config.auditRetention * 1000);
  return deps.models.AuditEntry.destroy({ where: { at: { [Op.lt]: cutoff } } });
}

import type { AuditEntry } from '../db/audit.repository';
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
  deps: Pick<Deps, 'audit' | 'clock' | 'logger'>,
): Promise<number | undefined> {
  try {
    return await deps.audit.append({
      at: deps.clock.now(),
      actor: cut(input.actor, 255) ?? 'unknown',
      action: input.action.slice(0, 64),
      app: cut(input.app, 63),
      target: cut(input.target, 255),
      ip: cut(input.ip, 64),
      userAgent: cut(input.userAgent, 255),
      outcome: input.outcome,
      detail: input.detail ? (scrub(input.detail) as Record<string, unknown>) : null,
    });
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
    detail: entry.detail,
  };
}

/** Newest first; `since` keeps entries at or after that time. */
export function listAudit(
  query: AuditQuery,
  deps: Pick<Deps, 'audit'>,
): Promise<{ rows: AuditEntry[]; count: number }> {
  const filter = { app: query.app, action: query.action, since: query.since ? new Date(query.since) : undefined };
  return deps.audit.list(filter, query.limit, query.offset);
}

/** Deletes entries older than AUDIT_RETENTION; returns how many went. */
export async function pruneAudit(deps: Pick<Deps, 'audit' | 'clock' | 'config'>): Promise<number> {
  return deps.audit.pruneBefore(new Date(deps.clock.now().getTime() - deps.config.auditRetention * 1000));
}

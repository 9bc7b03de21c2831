import type { StatsBucket, StatsResponse } from '../schemas/responses.schema';
import { findApplication } from './application.service';
import { REFRESH_REUSE_ACTION, serializeAuditEntry } from './audit.service';
import type { Deps } from './deps';

/** The credential checks of applications' users: a login, or Quid's refresh token for a password. */
export const LOGIN_ACTIONS = ['login', 'token.refresh'] as const;

/** Besides the limiter's refusals, what the home page lists as security events. */
export const SECURITY_ACTIONS = [REFRESH_REUSE_ACTION, 'application.read_secret'] as const;

const HOUR = 3600;
const DAY = 24 * HOUR;
const RECENT_EVENTS = 10;

/**
 * docs/api.md, Statistics: the home page's numbers, for one application or all of them. Hours
 * and days are UTC; the last bucket of each series is the current one, still filling.
 */
export async function readStats(
  app: string | undefined,
  deps: Pick<Deps, 'audit' | 'applications' | 'clock' | 'stats'>,
): Promise<StatsResponse> {
  if (app !== undefined) await findApplication(app, deps);
  const now = deps.clock.now();
  const series = async (size: number, count: number): Promise<StatsBucket[]> => {
    const current = Math.floor(now.getTime() / 1000 / size) * size;
    const from = new Date((current - (count - 1) * size) * 1000);
    const found = new Map(
      (await deps.stats.countAttempts({ from, size, count, app, actions: LOGIN_ACTIONS })).map((row) => [
        row.bucket,
        row,
      ]),
    );
    return Array.from({ length: count }, (_, index) => {
      const row = found.get(index);
      return {
        at: new Date(from.getTime() + index * size * 1000).toISOString(),
        logins: row?.logins ?? 0,
        failures: row?.failures ?? 0,
        lockouts: row?.lockouts ?? 0,
      };
    });
  };
  const [users, activeSessions, hourly, daily, events] = await Promise.all([
    deps.stats.countUsers(app),
    deps.stats.countActiveSessions(now, app),
    series(HOUR, 24),
    series(DAY, 7),
    deps.audit.recentSecurityEvents({ actions: SECURITY_ACTIONS, app }, RECENT_EVENTS),
  ]);
  return {
    app: app ?? null,
    users,
    active_sessions: activeSessions,
    hourly,
    daily,
    recent_security_events: events.map(serializeAuditEntry),
  };
}

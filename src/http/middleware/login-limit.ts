import type { Request } from 'express';
import { AppError } from '../../errors';
import { recordAudit } from '../../services/audit.service';
import { LimitExceeded } from '../../services/login-limiter';
import type { AppDeps } from '../app-deps';

/** One credential attempt: its audit action, its application and the username it names (if any). */
export interface Attempt {
  action: string;
  app: string;
  username?: string;
}

/**
 * Runs a credential check under the §4.5 limits and records it (audit log and metrics).
 * Spent counters answer 429 rate_limited with Retry-After before `check` runs, even for the right
 * password. A 401 from `check` counts one failure, atomically; the failure beyond a limit is
 * answered 429, not 401, so parallel requests cannot get more 401s than the limit allows. A
 * success resets the (app, username, IP) count; other errors (400, 500) count nothing.
 */
export async function limitAttempt<T>(
  deps: AppDeps,
  req: Request,
  attempt: Attempt,
  check: () => Promise<T>,
): Promise<T> {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  const audit = (outcome: 'success' | 'failure' | 'rate_limited' | 'error', detail?: Record<string, unknown>) =>
    recordAudit(
      {
        actor: attempt.username ?? 'anonymous',
        action: attempt.action,
        app: attempt.app,
        target: attempt.username,
        ip,
        userAgent: req.get('user-agent'),
        outcome,
        detail,
      },
      deps,
    );
  const limited = async (error: unknown): Promise<never> => {
    if (!(error instanceof LimitExceeded)) throw error;
    deps.metrics.rateLimited.inc({ action: attempt.action });
    deps.metrics.logins.inc({ action: attempt.action, outcome: 'rate_limited' });
    await audit('rate_limited', { retry_after: error.retryAfter });
    throw new AppError('rate_limited', 'Too many failed attempts; try again later.', undefined, {
      retryAfter: error.retryAfter,
    });
  };

  const reservation = await deps.limiter.reserve({ app: attempt.app, username: attempt.username, ip }).catch(limited);
  try {
    const result = await check();
    await reservation.succeeded();
    deps.metrics.logins.inc({ action: attempt.action, outcome: 'success' });
    await audit('success');
    return result;
  } catch (error) {
    if (error instanceof AppError && error.status === 401) await reservation.failed().catch(limited);
    const outcome = error instanceof AppError ? 'failure' : 'error';
    deps.metrics.logins.inc({ action: attempt.action, outcome });
    await audit(outcome, error instanceof AppError ? { reason: error.code } : undefined);
    throw error;
  }
}

import { AppError } from '../../errors';
import { recordAudit, type AuditInput } from '../../services/audit.service';
import { LimitExceeded } from '../../infra/login-limiter';
import { userLockedOut } from '../../services/webhook-events.service';
import type { AppDeps } from '../app-deps';
import type { Client } from '../client';

/** One credential attempt: its audit action, its application and the username it names (if any). */
export interface Attempt {
  action: string;
  app: string;
  username?: string;
  /** Who the audit log names: the username, unless the attempt is an admin's (`admin:<name>`). */
  actor?: string;
  /**
   * Whether a success is audited (the default). A rotation is not: it is a session's routine
   * renewal, every few minutes per user (its failures, lockouts and reuses are still recorded).
   */
  auditSuccess?: boolean;
  /**
   * Every answer costs a place like a failure, a success and a refusal alike (on the IP's counter,
   * the attempt naming no username): a sign-up or a recovery request is not a guess, but each
   * makes an account, a mail or a password hash, so that one IP may make only
   * LOGIN_MAX_FAILURES_PER_IP of them (with its failures) an hour.
   */
  countEveryAnswer?: boolean;
  /**
   * The check compares or hashes a password: it is admitted only while fewer than LOGIN_QUEUE_MAX
   * are (docs/api.md, Brute-force protection), else refused with 503 overloaded before any work.
   */
  checksPassword?: boolean;
}

/** Seconds an overloaded client is told to wait: about what one wave of admitted checks takes. */
const OVERLOADED_RETRY_AFTER = 1;

type AttemptEntry = Omit<AuditInput, 'outcome' | 'detail'> & { ip: string };

/**
 * Runs a credential check under the brute-force limits (docs/api.md, Brute-force protection) and records it (audit log and metrics).
 * A `checksPassword` attempt first takes a place among the password checks admitted (or gets 503
 * overloaded at once, summarised in the audit log like a 429); see `underLimits` for the rest.
 */
export async function limitAttempt<T>(
  deps: AppDeps,
  client: Client,
  attempt: Attempt,
  check: () => Promise<T>,
  /**
   * A success that is only halfway (a right password, a second factor still to come): its place
   * is given back but the failures stay, so that wrong codes lock out like wrong passwords and a
   * right password in between does not wipe them.
   */
  halfway: (result: T) => boolean = () => false,
): Promise<T> {
  const { ip, userAgent } = client;
  const entry: AttemptEntry = {
    actor: attempt.actor ?? attempt.username ?? 'anonymous',
    action: attempt.action,
    app: attempt.app,
    target: attempt.username,
    ip,
    userAgent,
  };
  if (!attempt.checksPassword) return underLimits(deps, attempt, entry, check, halfway);
  if (!deps.admission.enter()) {
    deps.metrics.logins.inc({ action: attempt.action, outcome: 'overloaded' });
    await deps.refusals.record({ ...entry, outcome: 'overloaded', detail: { retry_after: OVERLOADED_RETRY_AFTER } });
    throw new AppError('overloaded', 'Too many logins are being checked right now; try again shortly.', undefined, {
      retryAfter: OVERLOADED_RETRY_AFTER,
    });
  }
  try {
    return await underLimits(deps, attempt, entry, check, halfway);
  } finally {
    deps.admission.leave();
  }
}

/**
 * The attempt is reserved on every counter before `check` runs, so a burst gets no more checks
 * than the limits allow; when failures fill a counter the answer is 429 rate_limited with
 * Retry-After, even for the right password. A 401 from `check` keeps the reservation as a
 * failure; a success gives it back and resets the (app, username, IP) count; other errors
 * (400, 500) give it back and count nothing, except for `countEveryAnswer` attempts, which keep
 * their place whatever they answer. Refusals are audited summarised, not one row each.
 */
async function underLimits<T>(
  deps: AppDeps,
  attempt: Attempt,
  entry: AttemptEntry,
  check: () => Promise<T>,
  halfway: (result: T) => boolean,
): Promise<T> {
  const { ip } = entry;
  const audit = (outcome: 'success' | 'failure' | 'error', detail?: Record<string, unknown>) =>
    recordAudit({ ...entry, outcome, detail }, deps);
  const limited = async (error: unknown): Promise<never> => {
    if (!(error instanceof LimitExceeded)) throw error;
    deps.metrics.rateLimited.inc({ action: attempt.action });
    deps.metrics.logins.inc({ action: attempt.action, outcome: 'rate_limited' });
    await deps.refusals.record({ ...entry, outcome: 'rate_limited', detail: { retry_after: error.retryAfter } });
    throw new AppError('rate_limited', 'Too many failed attempts; try again later.', undefined, {
      retryAfter: error.retryAfter,
    });
  };

  const reservation = await deps.limiter.reserve({ app: attempt.app, username: attempt.username, ip }).catch(limited);
  try {
    const result = await check();
    const firstFactorOnly = halfway(result);
    if (attempt.countEveryAnswer) await reservation.failed();
    else await (firstFactorOnly ? reservation.released() : reservation.succeeded());
    deps.metrics.logins.inc({ action: attempt.action, outcome: 'success' });
    if (attempt.auditSuccess !== false)
      await audit('success', firstFactorOnly ? { second_factor: 'pending' } : undefined);
    return result;
  } catch (error) {
    // A sign-up's refusal (a taken name, a weak password) costs its place too: else refusals are free.
    if (attempt.countEveryAnswer || (error instanceof AppError && error.status === 401)) {
      const lockedOut = await reservation.failed();
      if (lockedOut && attempt.username !== undefined)
        await userLockedOut(attempt.app, attempt.username, ip, deps).catch((cause: unknown) =>
          deps.logger.warn({ err: cause }, 'the user.locked_out webhook event could not be queued'),
        );
    } else await reservation.released();
    const outcome = error instanceof AppError ? 'failure' : 'error';
    deps.metrics.logins.inc({ action: attempt.action, outcome });
    await audit(outcome, error instanceof AppError ? { reason: error.code } : undefined);
    throw error;
  }
}

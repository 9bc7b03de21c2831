import { pruneAudit } from '../services/audit.service';
import type { Deps } from '../services/deps';
import { purgeSessions } from '../services/session.service';
import { purgeExpiredSignups } from '../services/signup.service';

const EVERY_MS = 10 * 60 * 1000;
/** Sent and given-up mails stay in the outbox (their content cleared) for a week, for an operator to look at. */
const MAILS_KEPT_MS = 7 * 24 * 3600 * 1000;

/**
 * Periodic clean-up: expired and long-revoked refresh sessions, unconfirmed sign-ups whose link
 * expired, expired one-use tokens (admin request jtis, setup links, second-factor, confirmation
 * and reset tokens), and audit entries and
 * finished webhook deliveries older than AUDIT_RETENTION, and finished mails after a week. Returns a stop function.
 */
export function startMaintenance(
  deps: Pick<
    Deps,
    | 'db'
    | 'oneUseTokens'
    | 'sessions'
    | 'audit'
    | 'clock'
    | 'logger'
    | 'config'
    | 'caches'
    | 'deliveries'
    | 'mailOutbox'
    | 'signups'
    | 'webhooks'
  >,
): () => void {
  const run = async () => {
    try {
      const purged = await purgeSessions(deps.clock.now(), deps);
      if (purged > 0) deps.logger.info({ purged }, 'expired sessions purged');
      // Before the one-use tokens, at the same instant: an unconfirmed account is known by its expired
      // confirmation token, and one deleted alone would leave its account disabled for good.
      const now = deps.clock.now();
      const signups = await purgeExpiredSignups(deps, now);
      if (signups > 0) deps.logger.info({ purged: signups }, 'unconfirmed sign-ups with expired links purged');
      const tokens = await deps.oneUseTokens.purgeExpired(now);
      if (tokens > 0) deps.logger.info({ purged: tokens }, 'expired one-use tokens purged');
      const pruned = await pruneAudit(deps);
      if (pruned > 0) deps.logger.info({ pruned }, 'audit log pruned');
      // Webhook deliveries are history like the audit log, kept as long.
      const cutoff = new Date(deps.clock.now().getTime() - deps.config.auditRetention * 1000);
      const deliveries = await deps.deliveries.purgeFinished(cutoff);
      if (deliveries > 0) deps.logger.info({ purged: deliveries }, 'finished webhook deliveries purged');
      const mails = await deps.mailOutbox.purgeFinished(new Date(now.getTime() - MAILS_KEPT_MS));
      if (mails > 0) deps.logger.info({ purged: mails }, 'sent and given-up mails purged');
    } catch (error) {
      deps.logger.warn({ err: error }, 'maintenance failed');
    }
  };
  const timer = setInterval(() => void run(), EVERY_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}

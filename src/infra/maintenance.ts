import { deleteExpiredAccountTokens } from '../db/account-token.repository';
import { deleteExpiredMfaTokens } from '../db/second-factor.repository';
import { purgeFinishedDeliveries } from '../db/webhook-delivery.repository';
import { purgeSpentJtis } from '../services/admin-replay.service';
import { pruneAudit } from '../services/audit.service';
import type { Deps } from '../services/deps';
import { purgeSessions } from '../services/session.service';

const EVERY_MS = 10 * 60 * 1000;

/**
 * Periodic clean-up: expired and long-revoked refresh sessions, the jtis of expired admin
 * request tokens, expired second-factor, confirmation and reset tokens, and audit entries and
 * finished webhook deliveries older than AUDIT_RETENTION. Returns a stop function.
 */
export function startMaintenance(deps: Pick<Deps, 'db' | 'models' | 'clock' | 'logger' | 'config'>): () => void {
  const run = async () => {
    try {
      const purged = await purgeSessions(deps.clock.now(), deps);
      if (purged > 0) deps.logger.info({ purged }, 'expired sessions purged');
      const jtis = await purgeSpentJtis(deps.clock.now(), deps);
      if (jtis > 0) deps.logger.info({ purged: jtis }, 'expired admin request jtis purged');
      const mfaTokens = await deleteExpiredMfaTokens(deps.db, deps.clock.now());
      if (mfaTokens > 0) deps.logger.info({ purged: mfaTokens }, 'expired second-factor tokens purged');
      const accountTokens = await deleteExpiredAccountTokens(deps.db, deps.clock.now());
      if (accountTokens > 0)
        deps.logger.info({ purged: accountTokens }, 'expired confirmation and reset tokens purged');
      const pruned = await pruneAudit(deps);
      if (pruned > 0) deps.logger.info({ pruned }, 'audit log pruned');
      // Webhook deliveries are history like the audit log, kept as long.
      const cutoff = new Date(deps.clock.now().getTime() - deps.config.auditRetention * 1000);
      const deliveries = await purgeFinishedDeliveries(deps.db, cutoff);
      if (deliveries > 0) deps.logger.info({ purged: deliveries }, 'finished webhook deliveries purged');
    } catch (error) {
      deps.logger.warn({ err: error }, 'maintenance failed');
    }
  };
  const timer = setInterval(() => void run(), EVERY_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}

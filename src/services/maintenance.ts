import type { Deps } from './deps';
import { purgeSessions } from './refresh.service';

const EVERY_MS = 10 * 60 * 1000;

/** Periodic clean-up: expired and long-revoked refresh sessions. Returns a stop function. */
export function startMaintenance(deps: Pick<Deps, 'clock' | 'logger'>): () => void {
  const run = async () => {
    try {
      const purged = await purgeSessions(deps.clock.now());
      if (purged > 0) deps.logger.info({ purged }, 'expired sessions purged');
    } catch (error) {
      deps.logger.warn({ err: error }, 'session purge failed');
    }
  };
  const timer = setInterval(() => void run(), EVERY_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}

import type { Logger } from 'pino';
import { createSetupToken } from './services/admin-setup.service';
import { systemClock, type Store } from './services/deps';

/**
 * First run (docs/api.md, first-run setup): while no admin account exists, prints a one-time setup link once, in
 * the log (JSON lines on stdout), or as a plain stdout line when the log level hides warnings.
 * This line is the only place the token is ever written in clear; the database keeps its hash.
 * Called by the single process, or by a cluster's primary: never by each worker.
 */
export async function announceFirstRun(
  where: string,
  logger: Logger,
  store: Pick<Store, 'db' | 'models'>,
): Promise<void> {
  try {
    const token = await createSetupToken({ db: store.db, models: store.models, clock: systemClock });
    if (!token) return;
    const message = `no admin account yet: open ${where}/admin/setup#${token} within 1 hour to create one (or run \`npx jawth init\`)`;
    logger.warn(message);
    if (!logger.isLevelEnabled('warn')) process.stdout.write(`jawth: ${message}\n`);
  } catch (error) {
    // A database that is down at start is /ready's business (503), not a reason to exit.
    logger.warn({ err: error }, 'could not check for admin accounts: the database did not answer');
  }
}

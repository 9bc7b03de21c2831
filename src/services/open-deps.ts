import type { Logger } from 'pino';
import type { Database } from '../db/database';
import type { Config } from '../config/config';
import { openDatabase, prepareDatabase, timeoutsOf, type DatabaseTimeouts } from '../db/sequelize';
import { createLogger } from '../logger';
import { closeStore, storeOf, systemClock, type Clock, type Deps } from './deps';

export interface OpenOptions {
  /** A connection already opened and prepared (the server's, migrated; a test's own schema). */
  db?: Database;
  /** Else DATABASE_URL is opened with these (default: the configured request timeouts). */
  timeouts?: DatabaseTimeouts;
  clock?: Clock;
  logger?: Logger;
}

/**
 * What every service receives, made in one place: the store of the configured database (or of
 * `db`), its caches on the same clock as the services, the configuration, the clock and a logger.
 * The CLI needs no more; a serving instance adds its own part (src/build-deps.ts).
 */
export async function openDeps(config: Config, options: OpenOptions = {}): Promise<Deps> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const db = options.db ?? openDatabase(config.databaseUrl, { timeouts: options.timeouts ?? timeoutsOf(config) });
  const store = storeOf(db, clock);
  if (!options.db)
    await prepareDatabase(db).catch((error: unknown) => closeStore(store).then(() => Promise.reject(error)));
  return { ...store, config, clock, logger };
}

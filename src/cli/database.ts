import pino from 'pino';
import type { Config } from '../config/config';
import { migrationTimeoutsOf } from '../db/sequelize';
import { closeStore, type Deps } from '../services/deps';
import { openDeps } from '../services/open-deps';

/**
 * Opens the configured database for local work (no statement limit) and always closes it. The
 * CLI reports in words on its own: services' log lines would mix with a dump on stdout.
 */
export async function withDatabase<T>(config: Config, work: (deps: Deps) => Promise<T>): Promise<T> {
  const deps = await openDeps(config, { timeouts: migrationTimeoutsOf(config), logger: pino({ level: 'silent' }) });
  try {
    return await work(deps);
  } finally {
    await closeStore(deps);
  }
}

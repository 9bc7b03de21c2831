import type { Config } from '../config/config';
import { openDatabase, prepareDatabase, migrationTimeoutsOf } from '../db/sequelize';
import { closeStore, storeOf, type Store } from '../services/deps';

/** Opens the configured database for local work (no statement limit) and always closes it. */
export async function withDatabase<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const store = storeOf(openDatabase(config.databaseUrl, { timeouts: migrationTimeoutsOf(config) }));
  try {
    await prepareDatabase(store.db);
    return await work(store);
  } finally {
    await closeStore(store);
  }
}

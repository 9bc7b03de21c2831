import type { Sequelize } from 'sequelize';
import type { Config } from '../../config/config';
import { openDatabase, prepareDatabase, timeoutsOf } from '../../db/sequelize';

/** Opens the configured database for local work and always closes it. */
export async function withDatabase<T>(config: Config, work: (db: Sequelize) => Promise<T>): Promise<T> {
  const db = openDatabase(config.databaseUrl, { timeouts: timeoutsOf(config) });
  try {
    await prepareDatabase(db);
    return await work(db);
  } finally {
    await db.close();
  }
}

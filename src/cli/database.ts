import type { Sequelize } from 'sequelize';
import type { Config } from '../config/config';
import { openDatabase, prepareDatabase, migrationTimeoutsOf } from '../db/sequelize';

/** Opens the configured database for local work (no statement limit) and always closes it. */
export async function withDatabase<T>(config: Config, work: (db: Sequelize) => Promise<T>): Promise<T> {
  const db = openDatabase(config.databaseUrl, { timeouts: migrationTimeoutsOf(config) });
  try {
    await prepareDatabase(db);
    return await work(db);
  } finally {
    await db.close();
  }
}

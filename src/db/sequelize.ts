import fs from 'node:fs';
import path from 'node:path';
import { Sequelize, type Options } from 'sequelize';
import { initModels } from './models';

/**
 * Opens the database named by DATABASE_URL: `sqlite:<path>` (folder created on demand),
 * `sqlite::memory:` or `postgres://…`. `searchPath` lets tests give each file its own schema.
 */
export function openDatabase(url: string, options: { searchPath?: string } = {}): Sequelize {
  const common: Options = { logging: false, define: { underscored: true } };
  let sequelize: Sequelize;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const storage = file === ':memory:' || file === '' ? ':memory:' : path.resolve(file);
    if (storage !== ':memory:') fs.mkdirSync(path.dirname(storage), { recursive: true });
    sequelize = new Sequelize({ ...common, dialect: 'sqlite', storage });
  } else {
    sequelize = new Sequelize(url, {
      ...common,
      dialect: 'postgres',
      pool: { max: 10, min: 0, idle: 10_000 },
      ...(options.searchPath ? { dialectOptions: { options: `-c search_path=${options.searchPath}` } } : {}),
    });
  }
  initModels(sequelize);
  return sequelize;
}

/** SQLite tuning: write-ahead logging lets readers proceed while one connection writes. */
export async function prepareDatabase(sequelize: Sequelize): Promise<void> {
  if (sequelize.getDialect() !== 'sqlite') return;
  await sequelize.query('PRAGMA journal_mode = WAL');
  await sequelize.query('PRAGMA busy_timeout = 5000');
  await sequelize.query('PRAGMA foreign_keys = ON');
}

import path from 'node:path';
import { Sequelize, type Options } from 'sequelize';
import { makePrivateFile, makePrivateFolder, restrictIfPresent } from '../files/private-files';
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
    if (storage !== ':memory:') makeSqliteFilePrivate(storage);
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
  restrictSqliteSidecars(sequelize);
}

/**
 * The database holds every application's secret (contract §1): its folder 0700 and the file
 * 0600 before SQLite opens it, even when they exist. SQLite gives -wal and -shm the main file's
 * mode when it creates them; ones left from before are restricted once the database is open.
 */
function makeSqliteFilePrivate(storage: string): void {
  makePrivateFolder(path.dirname(storage));
  makePrivateFile(storage);
}

function restrictSqliteSidecars(sequelize: Sequelize): void {
  const storage = (sequelize as unknown as { options: { storage?: string } }).options.storage;
  if (!storage || storage === ':memory:') return;
  for (const suffix of ['-wal', '-shm', '-journal']) restrictIfPresent(`${storage}${suffix}`);
}

import path from 'node:path';
import type { Options, Sequelize } from 'sequelize';
import type { Config } from '../config/config';
import { Database, stateOf } from './database';
import { guardedPg } from './pg-client';
import { queueSqliteWritesOutsideTransactions } from './transaction';
import { makePrivateFile, makePrivateFolder, restrictIfPresent } from '../files/private-files';

/**
 * Seconds. `connect`: opening or waiting for a connection, SQLite's lock wait; `statement`: one
 * statement on PostgreSQL, 0 for no limit.
 */
export interface DatabaseTimeouts {
  connect: number;
  statement: number;
}

/** The defaults of DATABASE_CONNECT_TIMEOUT and DATABASE_STATEMENT_TIMEOUT. */
export const DEFAULT_TIMEOUTS: DatabaseTimeouts = { connect: 5, statement: 10 };

export const timeoutsOf = (config: Config): DatabaseTimeouts => ({
  connect: config.databaseConnectTimeout,
  statement: config.databaseStatementTimeout,
});

/** Migrations and the CLI's local work are not requests: an index on a big table takes its time. */
export const migrationTimeoutsOf = (config: Config): DatabaseTimeouts => ({ ...timeoutsOf(config), statement: 0 });

/**
 * Opens the database named by DATABASE_URL: `sqlite:<path>` (folder created on demand),
 * `sqlite::memory:` or `postgres://…`. `searchPath` lets tests give each file its own schema.
 * The connection is a `Database` (db/database.ts), carrying what this process keeps for it.
 * Services need its models and caches too: see `storeOf` (services/deps.ts).
 */
export function openDatabase(
  url: string,
  options: { searchPath?: string; timeouts?: DatabaseTimeouts } = {},
): Database {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  // Without bounds a database that stops answering holds every request for as long as it is
  // away (pg waits forever to connect; Sequelize's pool waits 60 s, then retries SQLITE_BUSY 5
  // times): each wait below is bounded, and the error handler answers 503 when one runs out.
  const common: Options = {
    logging: false,
    define: { underscored: true },
    retry: { max: 2, match: ['SQLITE_BUSY: database is locked'] },
  };
  let sequelize: Database;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const storage = file === ':memory:' || file === '' ? ':memory:' : path.resolve(file);
    if (storage !== ':memory:') makeSqliteFilePrivate(storage);
    sequelize = new Database({ ...common, dialect: 'sqlite', storage });
    setBusyTimeoutOnEveryConnection(sequelize, timeouts.connect * 1000);
    queueSqliteWritesOutsideTransactions(sequelize);
  } else {
    sequelize = new Database(url, {
      ...common,
      dialect: 'postgres',
      dialectModule: guardedPg(),
      pool: { max: 10, min: 0, idle: 10_000, acquire: timeouts.connect * 1000 },
      dialectOptions: {
        connectionTimeoutMillis: timeouts.connect * 1000,
        // statement_timeout stops a slow statement on the server; query_timeout gives up on
        // the client side too, for a server that no longer answers at all.
        ...(timeouts.statement > 0
          ? { statement_timeout: timeouts.statement * 1000, query_timeout: (timeouts.statement + 1) * 1000 }
          : {}),
        ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
      },
    });
  }
  return sequelize;
}

/** The busy timeout of a SQLite database's connections, in ms, for connections opened beside Sequelize's. */
export const sqliteBusyTimeoutMs = (sequelize: Sequelize): number =>
  stateOf(sequelize).busyTimeoutMs ?? DEFAULT_TIMEOUTS.connect * 1000;

/**
 * Sequelize opens a SQLite connection per transaction besides its default one and sets no busy
 * timeout on any: a write meeting another process's lock failed at once with SQLITE_BUSY.
 * Each connection now waits up to `ms` for the lock, set once when it is first handed out:
 * `configure` runs on the main thread and takes the connection's mutex, so setting it on every
 * checkout froze the event loop for as long as a query of that connection sat in the busy
 * handler (/health took the length of another process's lock).
 */
function setBusyTimeoutOnEveryConnection(sequelize: Database, ms: number): void {
  sequelize.local.busyTimeoutMs = ms;
  type Connection = { configure(option: 'busyTimeout', value: number): void };
  const manager = sequelize.connectionManager as unknown as { getConnection(o?: unknown): Promise<Connection> };
  const getConnection = manager.getConnection.bind(manager);
  const configured = new WeakSet<Connection>();
  manager.getConnection = async (o) => {
    const connection = await getConnection(o);
    if (!configured.has(connection)) {
      configured.add(connection);
      connection.configure('busyTimeout', ms);
    }
    return connection;
  };
}

/** SQLite tuning: write-ahead logging lets readers proceed while one connection writes. */
export async function prepareDatabase(sequelize: Sequelize): Promise<void> {
  if (sequelize.getDialect() !== 'sqlite') return;
  await sequelize.query('PRAGMA journal_mode = WAL');
  // No busy_timeout here: set once per connection at its first checkout (DATABASE_CONNECT_TIMEOUT).
  await sequelize.query('PRAGMA foreign_keys = ON');
  restrictSqliteSidecars(sequelize);
}

/**
 * The database holds every application's secret (docs/api.md, Conventions): its folder 0700 and the file
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

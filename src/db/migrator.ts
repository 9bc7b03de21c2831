import type { Client as PgClient } from 'pg';
import lockfile from 'proper-lockfile';
import { QueryTypes, type QueryInterface, type Sequelize } from 'sequelize';
import type { Umzug as UmzugClass, UmzugStorage } from 'umzug';
import { DEFAULT_LOCK_RETRY, RECORD, runMigrationStep, type LockRetry } from './migration-step';
import { migrations as allMigrations, type Migration } from './migrations';

// Any constant shared by every jawth instance: umzug has no lock of its own, so concurrent
// starts on PostgreSQL serialise on this advisory lock, held on a dedicated connection.
const MIGRATION_LOCK = 4_207_311;

/** How long a start waits for another process's SQLite migration run (about a minute). */
const SQLITE_LOCK_RETRIES = { retries: 120, minTimeout: 50, maxTimeout: 500 };

type Release = () => Promise<void>;

/** Session-level advisory lock on a dedicated PostgreSQL connection. */
async function lockPostgres(url: string): Promise<Release> {
  // PostgreSQL only: an SQLite server never loads pg (~4 MB, bench/README.md, idle).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as { Client: typeof PgClient };
  const client = new Client({ connectionString: url });
  // Without a listener, this connection broken by the server would end the process (pg-client.ts).
  client.on('error', () => undefined);
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  return async () => {
    // A broken connection has lost the lock already: nothing to release.
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end().catch(() => undefined);
  };
}

/**
 * SQLite has no advisory lock: two servers started together on a new file both saw every
 * migration pending and one failed ("index ... already exists"). A lock directory beside the
 * file (`<file>.lock`, proper-lockfile: atomic mkdir, refreshed while held, taken over when a
 * crashed holder leaves it stale) makes the second wait and then find nothing to do.
 */
async function lockSqliteFile(storage: string): Promise<Release> {
  return lockfile.lock(storage, { realpath: false, retries: SQLITE_LOCK_RETRIES });
}

function sqliteStorage(sequelize: Sequelize): string | undefined {
  const storage = (sequelize as unknown as { options: { storage?: string } }).options.storage;
  return sequelize.getDialect() === 'sqlite' && storage && storage !== ':memory:' ? storage : undefined;
}

/**
 * The applied migrations' names, in `schema_migrations` (the table umzug's SequelizeStorage made,
 * same column). Plain SQL rather than that storage: it calls Model.sync before every write, whose
 * index lookup on PostgreSQL reads the catalogue of every schema and failed ("Cannot read
 * properties of null") while another process dropped a schema at the same moment.
 */
function migrationTable(sequelize: Sequelize): UmzugStorage {
  const ensure = () =>
    sequelize.query('CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR(255) NOT NULL PRIMARY KEY)');
  return {
    async executed() {
      await ensure();
      const rows = await sequelize.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name', {
        type: QueryTypes.SELECT,
      });
      return rows.map((row) => row.name);
    },
    async logMigration({ name }) {
      // Already written in the migration's own transaction (migration-step.ts), unless it ran without one.
      await ensure();
      await sequelize.query(RECORD, { bind: [name] });
    },
    async unlogMigration({ name }) {
      await sequelize.query('DELETE FROM schema_migrations WHERE name = $1', { bind: [name] });
    },
  };
}

export interface MigrateOptions {
  /** How PostgreSQL DDL waits for its locks (migration-step.ts). */
  retry?: LockRetry;
  /** The migrations to apply: all of them but in tests. */
  migrations?: Migration[];
  /** SECRET_KEY, for the migrations that seal secrets with it (0017). */
  secretKey?: string;
}

export function createMigrator(
  sequelize: Sequelize,
  lockUrl?: string,
  options: MigrateOptions = {},
): UmzugClass<QueryInterface> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Umzug } = require('umzug') as typeof import('umzug');
  const retry = options.retry ?? DEFAULT_LOCK_RETRY;
  const context = { secretKey: options.secretKey };
  const umzug = new Umzug({
    migrations: (options.migrations ?? allMigrations).map((m) => ({
      name: m.name,
      up: () => runMigrationStep(sequelize, m, 'up', retry, context),
      down: () => runMigrationStep(sequelize, m, 'down', retry, context),
    })),
    storage: migrationTable(sequelize),
    context: sequelize.getQueryInterface(),
    logger: undefined,
  });
  const storage = sqliteStorage(sequelize);
  const lock =
    sequelize.getDialect() === 'postgres' && lockUrl
      ? () => lockPostgres(lockUrl)
      : storage
        ? () => lockSqliteFile(storage)
        : undefined;
  if (lock) {
    // umzug computes the pending list after beforeCommand: the waiting instance sees none.
    let release: Release | undefined;
    umzug.on('beforeCommand', async () => {
      release = await lock();
    });
    umzug.on('afterCommand', async () => {
      const held = release;
      release = undefined;
      await held?.();
    });
  }
  return umzug;
}

/**
 * Applies every pending migration; returns the names applied. A database already up to date
 * (every restart) is told by one query, without loading umzug, whose CLI (@rushstack/…) is ~5 MB
 * of an idle server's memory (bench/README.md, idle); with migrations pending, umzug takes the
 * lock and computes them again under it.
 */
export async function migrateUp(
  sequelize: Sequelize,
  lockUrl?: string,
  options: MigrateOptions = {},
): Promise<string[]> {
  if (await upToDate(sequelize, options.migrations ?? allMigrations)) return [];
  const applied = await createMigrator(sequelize, lockUrl, options).up();
  return applied.map((m) => m.name);
}

/**
 * Whether every migration is recorded; false when that cannot be read (no table yet). The table
 * is read through the connection's own search path (pendingMigrations' tableExists looks in
 * PostgreSQL's `public` schema, where the tests' schemas are not).
 */
async function upToDate(sequelize: Sequelize, migrations: Migration[]): Promise<boolean> {
  try {
    const rows = await sequelize.query<{ name: string }>('SELECT name FROM schema_migrations', {
      type: QueryTypes.SELECT,
    });
    const done = new Set(rows.map((row) => row.name));
    return migrations.every((m) => done.has(m.name));
  } catch {
    return false;
  }
}

/** The migrations this database has not had yet (all of them when it was never migrated). */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  const table = 'schema_migrations';
  const done = (await sequelize.getQueryInterface().tableExists(table))
    ? (await sequelize.query<{ name: string }>(`SELECT name FROM ${table}`, { type: QueryTypes.SELECT })).map(
        (row) => row.name,
      )
    : [];
  return allMigrations.map((m) => m.name).filter((name) => !done.includes(name));
}

/** Refuses to work on a database whose schema is behind this code, saying what to run. */
export async function assertMigrated(sequelize: Sequelize): Promise<void> {
  const pending = await pendingMigrations(sequelize);
  if (pending.length === 0) return;
  throw new NotMigrated(pending);
}

export class NotMigrated extends Error {
  constructor(readonly pending: string[]) {
    super(
      `The database is not migrated (${pending.length} pending: ${pending.join(', ')}): run \`jawth migrate\`, or start the server with MIGRATE_ON_START=true.`,
    );
  }
}

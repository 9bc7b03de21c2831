import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { migrateUp } from '../../src/db/migrator';
import { migrations, type Migration } from '../../src/db/migrations';
import { createIndexConcurrently } from '../../src/db/migrations/concurrent-index';
import { openDatabase } from '../../src/db/sequelize';
import { exited, listeningUrls, runCli, startCli, startServer, waitFor, type Running } from '../helpers/cli';
import { JAWTH_KEY, SECRET_KEY, adminToken } from '../helpers/context';
import { GOOD_PASSWORD } from '../helpers/factories';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres';

// Migrations meeting a lock held by another session (a reader such as pg_dump holding `users`),
// on a PostgreSQL of the test's own. Killed while waiting, a migration leaves nothing behind
// (its statements and its schema_migrations row are one transaction); left waiting, it gives up
// after lock_timeout and tries again, so that other instances' requests never queue behind it.

let pg: PrivatePostgres;
beforeAll(async () => {
  pg = await startPrivatePostgres();
}, 60000);
afterAll(async () => pg?.stop());

const env = (database: string) => ({ SECRET_KEY, JAWTH_KEY, DATABASE_URL: pg.url(database) });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-pglock-'));

async function createDatabase(name: string): Promise<Sequelize> {
  const client = await pg.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return openDatabase(pg.url(name), { timeouts: { connect: 5, statement: 0 } });
}

/** A session holding ACCESS SHARE on `users` until released, as pg_dump does for its run. */
async function holdUsers(database: string): Promise<{ client: Client; release(): Promise<void> }> {
  const client = await pg.connect(database);
  await client.query('BEGIN');
  await client.query('SELECT count(*) FROM users');
  return {
    client,
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

const lockWaiters = async (observer: Client, database: string) =>
  Number(
    (
      await observer.query(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
        [database],
      )
    ).rows[0].n,
  );

const recorded = async (db: Sequelize) =>
  (await db.query<{ name: string }>('SELECT name FROM schema_migrations', { type: QueryTypes.SELECT })).map(
    (row) => row.name,
  );
const hasColumn = (db: Sequelize, table: string, column: string) =>
  db.query(`SELECT ${column} FROM ${table} LIMIT 1`).then(
    () => true,
    () => false,
  );

describe('a migration killed while it waits for a lock', () => {
  it('leaves neither its changes nor its row, and the next `jawth migrate` applies it', async () => {
    const db = await createDatabase('killed');
    const at0010 = migrations.slice(
      0,
      migrations.findIndex((m) => m.name === '0011-signup-recovery'),
    );
    await migrateUp(db, pg.url('killed'), { migrations: at0010 });
    const reader = await holdUsers('killed');
    const observer = await pg.connect();
    let migrating: Running | undefined;
    try {
      // 0011 alters applications first, then waits for `users`: killed there.
      migrating = startCli(['migrate'], tmp(), env('killed'));
      const end = Date.now() + 20000;
      while ((await lockWaiters(observer, 'killed')) === 0) {
        if (Date.now() > end || migrating.child.exitCode !== null) throw new Error(migrating.output());
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      migrating.child.kill('SIGKILL');
      await exited(migrating.child);
    } finally {
      await reader.release();
      await observer.end();
    }
    expect(await hasColumn(db, 'applications', 'signup')).toBe(false);
    expect(await recorded(db)).not.toContain('0011-signup-recovery');

    const again = await runCli(['migrate'], tmp(), env('killed'));
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Applied: 0011-signup-recovery/);
    expect(await hasColumn(db, 'applications', 'signup')).toBe(true);
    expect(await recorded(db)).toContain('0011-signup-recovery');
    await db.close();
  }, 60000);
});

/** A migration that needs ACCESS EXCLUSIVE on `users`, as any ALTER TABLE users does. */
const alterUsers: Migration = {
  name: '9999-lock-probe',
  up: async (q) => void (await q.sequelize.query('ALTER TABLE users ADD COLUMN lock_probe INTEGER')),
  down: async (q) => void (await q.sequelize.query('ALTER TABLE users DROP COLUMN lock_probe')),
};

describe('a migration waiting for a lock while another instance serves', () => {
  let server: Running;
  let base: string;
  let db: Sequelize;
  beforeAll(async () => {
    db = await createDatabase('serving');
    // DATABASE_STATEMENT_TIMEOUT=4s: a login queued behind the waiting ALTER used to answer 503.
    server = startServer(tmp(), { ...env('serving'), PORT: '0', BCRYPT_COST: '10', DATABASE_STATEMENT_TIMEOUT: '4s' });
    await waitFor(() => listeningUrls(server.output()).length > 0 || server.child.exitCode !== null, 30000);
    base = listeningUrls(server.output())[0];
    if (!base) throw new Error(server.output());
    const call = (route: string, data: unknown) =>
      fetch(`${base}${route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          auth: `jwt ${adminToken({ data, method: 'POST', path: route })}`,
        },
        body: JSON.stringify(data),
      });
    expect((await call('/applications', { name: 'shop' })).status).toBe(201);
    expect((await call('/shop/users', { username: 'ann', password: GOOD_PASSWORD })).status).toBe(201);
  }, 60000);
  afterAll(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
    await db?.close();
  });

  const loginsFor = async (ms: number) => {
    const statuses: number[] = [];
    let slowest = 0;
    for (const end = Date.now() + ms; Date.now() < end;) {
      const startedAt = Date.now();
      const answer = await fetch(`${base}/shop/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ann', password: GOOD_PASSWORD }),
        signal: AbortSignal.timeout(20000),
      });
      statuses.push(answer.status);
      slowest = Math.max(slowest, Date.now() - startedAt);
    }
    return { statuses, slowest };
  };

  it('gives up its lock wait after lock_timeout and retries, and the logins keep answering 200', async () => {
    const reader = await holdUsers('serving');
    const retries: number[] = [];
    const migrated = migrateUp(db, pg.url('serving'), {
      migrations: [...migrations, alterUsers],
      retry: { lockTimeoutMs: 1000, attempts: 50, onRetry: ({ attempt }) => retries.push(attempt) },
    });
    let logins: Awaited<ReturnType<typeof loginsFor>>;
    try {
      logins = await loginsFor(7000);
    } finally {
      await reader.release();
    }
    expect(await migrated).toEqual(['9999-lock-probe']);
    expect(new Set(logins.statuses)).toEqual(new Set([200]));
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(await hasColumn(db, 'users', 'lock_probe')).toBe(true);
    expect(await recorded(db)).toContain('9999-lock-probe');
    console.log(`${logins.statuses.length} logins, slowest ${logins.slowest} ms; ${retries.length} retries`);
  }, 60000);

  it('with the lock never released, fails after its attempts with a message saying why, and leaves nothing', async () => {
    const reader = await holdUsers('serving');
    const probe: Migration = { ...alterUsers, name: '9999-lock-probe-2', up: alterUsers.down };
    const startedAt = Date.now();
    try {
      const failure = await migrateUp(db, pg.url('serving'), {
        migrations: [...migrations, alterUsers, probe],
        retry: { lockTimeoutMs: 300, attempts: 3 },
      }).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.message).toMatch(/9999-lock-probe-2 could not take its locks: 3 attempts/);
      expect(Date.now() - startedAt).toBeLessThan(15000);
    } finally {
      await reader.release();
    }
    expect(await hasColumn(db, 'users', 'lock_probe')).toBe(true);
    expect(await recorded(db)).not.toContain('9999-lock-probe-2');
  }, 60000);

  it('an index built CONCURRENTLY (transaction: false) lets logins go on while it waits for a writer, and rebuilds an INVALID leftover', async () => {
    const bob = await fetch(`${base}/shop/users`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        auth: `jwt ${adminToken({ data: { username: 'bob', password: GOOD_PASSWORD }, method: 'POST', path: '/shop/users' })}`,
      },
      body: JSON.stringify({ username: 'bob', password: GOOD_PASSWORD }),
    });
    expect(bob.status).toBe(201);
    // A build that failed half-way leaves an INVALID index of that name: here a unique one that
    // met a duplicate (ann and bob share application and role).
    const client = await pg.connect('serving');
    await expect(
      client.query('CREATE UNIQUE INDEX CONCURRENTLY users_probe ON users (application_id, role)'),
    ).rejects.toThrow(/could not create unique index/);
    const invalid = await client.query(
      `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'users_probe'`,
    );
    // A writer in the middle of a transaction on another user's row: CONCURRENTLY waits for it.
    await client.query('BEGIN');
    await client.query("UPDATE users SET username = 'bob' WHERE username = 'bob'");
    const concurrent: Migration = {
      name: '9999-lock-probe-3',
      transaction: false,
      up: (q) => createIndexConcurrently(q, 'users_probe', 'users', 'application_id, role'),
      down: async (q) => void (await q.sequelize.query('DROP INDEX users_probe')),
    };
    let done = false;
    const migrated = migrateUp(db, pg.url('serving'), { migrations: [...migrations, alterUsers, concurrent] }).finally(
      () => (done = true),
    );
    let logins: Awaited<ReturnType<typeof loginsFor>>;
    try {
      logins = await loginsFor(3000);
      expect(done).toBe(false);
    } finally {
      await client.query('COMMIT');
    }
    expect(await migrated).toEqual(['9999-lock-probe-3']);
    expect(new Set(logins.statuses)).toEqual(new Set([200]));
    expect(logins.slowest).toBeLessThan(2000);
    expect(invalid.rows).toEqual([{ indisvalid: false }]);
    const { rows } = await client.query(
      `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'users_probe'`,
    );
    expect(rows).toEqual([{ indisvalid: true }]);
    await client.end();
  }, 60000);
});

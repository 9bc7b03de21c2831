import { QueryTypes, type Sequelize } from 'sequelize';
import { migrateUp } from '../../src/db/migrator';
import { migrations } from '../../src/db/migrations';
import { openEmptyDatabase } from '../helpers/context';

// Each migration and its schema_migrations row commit together or not at all, on SQLite and on
// PostgreSQL (TEST_DATABASE_URL): one that fails half-way leaves nothing behind, and once its
// cause is gone it runs again from the start.
const pgUrl = process.env.TEST_DATABASE_URL || undefined;
let db: Sequelize;
let close: () => Promise<void>;

beforeAll(async () => ({ db, close } = await openEmptyDatabase()));
afterAll(() => close());

const recorded = async () =>
  (
    await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name', { type: QueryTypes.SELECT })
  ).map((row) => row.name);
const hasColumn = (table: string, column: string) =>
  db.query(`SELECT ${column} FROM ${table} LIMIT 1`).then(
    () => true,
    () => false,
  );

describe('a migration that fails half-way', () => {
  it('leaves neither its changes nor its schema_migrations row, and runs whole once the cause is gone', async () => {
    const before = migrations.slice(
      0,
      migrations.findIndex((m) => m.name === '0011-signup-recovery'),
    );
    await migrateUp(db, pgUrl, { migrations: before });
    // 0011 adds four columns to applications and one to users, then creates account_tokens
    // (IF NOT EXISTS) and its index: a table of that name without its columns fails the index.
    await db.query('CREATE TABLE account_tokens (id INTEGER)');

    const failure = await migrateUp(db, pgUrl).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(String(failure?.message)).toMatch(/0011-signup-recovery/);
    expect(await hasColumn('applications', 'signup')).toBe(false);
    expect(await hasColumn('users', 'email')).toBe(false);
    expect(await recorded()).toEqual(before.map((m) => m.name));

    await db.query('DROP TABLE account_tokens');
    expect(await migrateUp(db, pgUrl)).toEqual(migrations.slice(before.length).map((m) => m.name));
    expect(await hasColumn('applications', 'signup')).toBe(true);
    expect(await hasColumn('users', 'email')).toBe(true);
    expect(await recorded()).toEqual(migrations.map((m) => m.name));
  });
});

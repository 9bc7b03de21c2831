import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { openDatabase, prepareDatabase } from '../../src/db/sequelize';
import { inTransaction } from '../../src/db/transaction';

// docs/operations.md, When something fails: on SQLite, a write made outside a transaction takes
// its turn in the process's one write queue too, so that it never waits in SQLite's busy handler
// for a transaction of the same process (nor, on an in-memory database, joins one).
const open: Sequelize[] = [];
afterAll(() => Promise.all(open.map((db) => db.close())));

async function counterDatabase(url: string): Promise<Sequelize> {
  // No busy wait at all: any write of this process meeting another of it fails with SQLITE_BUSY.
  const db = openDatabase(url, { timeouts: { connect: 0, statement: 0 } });
  open.push(db);
  await prepareDatabase(db);
  await db.query('CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
  await db.query('INSERT INTO counter (id, n) VALUES (1, 0)');
  return db;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const count = async (db: Sequelize): Promise<number> =>
  (await db.query<{ n: number }>('SELECT n FROM counter WHERE id = 1', { type: QueryTypes.SELECT }))[0].n;

it('on a SQLite file, 50 transactions and 50 autocommit writes at once all commit, with no busy wait', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-autocommit-')), 'jawth.sqlite');
  const db = await counterDatabase(`sqlite:${file}`);
  const transactions = Array.from({ length: 50 }, () =>
    inTransaction(db, async (transaction) => {
      const [{ n }] = await db.query<{ n: number }>('SELECT n FROM counter WHERE id = 1', {
        type: QueryTypes.SELECT,
        transaction,
      });
      // The lock is held across turns of the event loop (50 × 10 ms in all), while the
      // autocommit writes arrive.
      await sleep(10);
      await db.query('UPDATE counter SET n = $1 WHERE id = 1', { bind: [n + 1], transaction });
    }),
  );
  const autocommits = Array.from({ length: 50 }, (_, i) =>
    sleep(i * 10).then(() => db.query('UPDATE counter SET n = n + 1 WHERE id = 1')),
  );
  const outcomes = await Promise.allSettled([...transactions, ...autocommits]);

  expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
  expect(await count(db)).toBe(100);
});

it('in memory, a write asked for while a transaction is open is not rolled back with it', async () => {
  const db = await counterDatabase('sqlite::memory:');
  let wrote!: () => void;
  let release!: () => void;
  const written = new Promise<void>((resolve) => (wrote = resolve));
  const held = new Promise<void>((resolve) => (release = resolve));
  const failed = inTransaction(db, async (transaction) => {
    await db.query('UPDATE counter SET n = n + 10 WHERE id = 1', { transaction });
    wrote();
    await held;
    throw new Error('the transaction fails');
  });
  await written;
  // Another request's write, while the transaction is open on the database's one connection.
  const outside = db.query('UPDATE counter SET n = n + 1 WHERE id = 1');
  release();
  await expect(failed).rejects.toThrow('the transaction fails');
  await outside;

  expect(await count(db)).toBe(1);
});

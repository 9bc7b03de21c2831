import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';
import { loggedInUser, login } from '../helpers/factories';

// While a query of this process waits in SQLite's busy handler (on one of libuv's threads), the
// main thread must go on: the busy timeout set on every connection checkout blocked it on that
// connection's mutex, and /health took as long as the other process held its lock.

/** Another process holding the write lock of `file` for `ms`; resolves once it holds it. */
function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<void> }> {
  const script = `
    const sqlite3 = require('sqlite3');
    const db = new sqlite3.Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE', (e) => {
      if (e) throw e;
      process.send('held');
      setTimeout(() => db.exec('ROLLBACK', () => db.close(() => process.exit(0))), Number(process.argv[2]));
    });`;
  const child = fork('-e', [script, file, String(ms)], { execArgv: [], cwd: process.cwd() });
  const released = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve({ released }));
    child.once('error', reject);
  });
}

/** The worst lateness of a 20 ms timer while `work` runs: how long the event loop was held. */
async function worstTimerLateness(work: () => Promise<unknown>): Promise<number> {
  let worst = 0;
  let expected = Date.now() + 20;
  const timer = setInterval(() => {
    worst = Math.max(worst, Date.now() - expected);
    expected = Date.now() + 20;
  }, 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return worst;
}

describe('SQLite: the event loop stays free while a query waits for another process', () => {
  let ctx: TestContext;
  let file: string;
  beforeEach(async () => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-sqlite-loop-')), 'jawth.sqlite');
    ctx = await createTestContext({}, { sqliteFile: file });
  });
  afterEach(async () => ctx.close());

  it('another process holds BEGIN IMMEDIATE for 3 s: /health answers within 1 s meanwhile, the login after the lock', async () => {
    const { app, user } = await loggedInUser(ctx.app);
    const lock = await holdWriteLock(file, 3000);
    const healthTimes: number[] = [];
    let loginStatus = 0;
    const lateness = await worstTimerLateness(async () => {
      // The login's last-login write waits in the busy handler on Sequelize's connection...
      const waiting = login(ctx.app, app.name, user.username, user.password).then((r) => (loginStatus = r.status));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // ...while other requests check that connection out again (reads of the same kind).
      const other = login(ctx.app, app.name, user.username, user.password);
      for (let i = 0; i < 5; i++) {
        const startedAt = Date.now();
        expect((await request(ctx.app).get('/health')).status).toBe(200);
        healthTimes.push(Date.now() - startedAt);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await Promise.all([waiting, other, lock.released]);
    });
    expect(Math.max(...healthTimes)).toBeLessThan(1000);
    expect(lateness).toBeLessThan(1000);
    expect(loginStatus).toBe(200);
    const [[row]] = (await ctx.db.query(`SELECT last_login_at FROM users WHERE username = '${user.username}'`)) as [
      Array<{ last_login_at: string | null }>,
      unknown,
    ];
    expect(row.last_login_at).not.toBeNull();
  });
  it('mixed refresh and recover traffic with no fault completes without a stall', async () => {
    const { app, user } = await loggedInUser(ctx.app, { email: 'someone@example.com' });
    const tokens = await Promise.all(
      Array.from(
        { length: 20 },
        async () => (await login(ctx.app, app.name, user.username, user.password)).body.refresh_token as string,
      ),
    );
    const startedAt = Date.now();
    const lateness = await worstTimerLateness(() =>
      Promise.all([
        ...tokens.map(async (token) => {
          let current = token;
          for (let i = 0; i < 5; i++) {
            const answer = await request(ctx.app).post(`/${app.name}/refresh`).send({ refresh_token: current });
            expect(answer.status).toBe(200);
            current = answer.body.refresh_token;
          }
        }),
        ...Array.from({ length: 40 }, () =>
          request(ctx.app).post(`/${app.name}/recover`).send({ username: user.username }),
        ),
      ]),
    );
    // Stalled, a request waited out the whole 5 s busy timeout.
    expect(Date.now() - startedAt).toBeLessThan(4000);
    expect(lateness).toBeLessThan(1000);
    const [[row]] = (await ctx.db.query('SELECT COUNT(*) AS n FROM sessions WHERE used_at IS NOT NULL')) as [
      Array<{ n: number }>,
      unknown,
    ];
    expect(row.n).toBe(100);
  });
});

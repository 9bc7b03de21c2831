import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sqlite3 from 'sqlite3';
import { captureStream } from '../helpers/capture';
import { exited, listeningUrls, startServer, waitFor, type Running } from '../helpers/cli';
import { admin, createTestContext, JAWTH_KEY, SECRET_KEY, type TestContext } from '../helpers/context';
import request from 'supertest';
import { createApplication, loggedInUser } from '../helpers/factories';

// a database that does not answer, or a disk that refuses writes, gives 503
// service_unavailable with Retry-After, never a 500 and never a hang.

/** A TCP server that accepts connections and never says a word: a frozen database host. */
function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/**
 * Leaves no byte free in the page that holds the sessions (the file is capped already): rows of
 * filler until one more does not fit, then the last one grown until the page is exactly full.
 */
async function fillSessionsPage(ctx: TestContext): Promise<void> {
  const tryQuery = (sql: string) =>
    ctx.db.query(sql).then(
      () => true,
      () => false,
    );
  const copy = (n: number) =>
    `INSERT INTO sessions (token_hash, family_id, user_id, expires_at, created_at, user_agent)
     SELECT 'filler-${n}', family_id, user_id, expires_at, created_at, printf('%.600c', 'x') FROM sessions LIMIT 1`;
  let n = 0;
  while (await tryQuery(copy(n))) n++;
  const last = `filler-${n - 1}`;
  let [low, high] = [600, 4096];
  while (low + 1 < high) {
    const middle = Math.floor((low + high) / 2);
    const grown = await tryQuery(
      `UPDATE sessions SET user_agent = printf('%.${middle}c', 'x') WHERE token_hash = '${last}'`,
    );
    if (grown) low = middle;
    else high = middle;
  }
  await ctx.db.query(`UPDATE sessions SET user_agent = printf('%.${low}c', 'x') WHERE token_hash = '${last}'`);
}

const STACK = /\bat .+:\d+:\d+/;

describe('a PostgreSQL host that accepts connections and never answers', () => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let server: Running;
  let base: string;
  beforeAll(async () => {
    hole = await blackHole();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-blackhole-'));
    server = startServer(dir, {
      PORT: '0',
      SECRET_KEY,
      JAWTH_KEY,
      BCRYPT_COST: '10',
      DATABASE_URL: `postgres://jawth:secret@127.0.0.1:${hole.port}/jawth`,
      DATABASE_CONNECT_TIMEOUT: '2s',
      MIGRATE_ON_START: 'false',
    });
    await waitFor(() => listeningUrls(server.output()).length === 1 || server.child.exitCode !== null, 20000);
    base = listeningUrls(server.output())[0];
  });
  afterAll(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      if ((await Promise.race([exited(server.child), new Promise((r) => setTimeout(r, 10000).unref())])) !== 0) {
        server.child.kill('SIGKILL');
      }
    }
    await hole.close();
  });

  it('GET /ready answers 503 within about a second', async () => {
    expect(base).toBeDefined();
    const startedAt = Date.now();
    const answer = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(10000) });
    const took = Date.now() - startedAt;
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { error: string }).error).toBe('service_unavailable');
    expect(took).toBeLessThan(1500);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('an API request answers 503 service_unavailable with Retry-After once the connect timeout ends, and the log says why', async () => {
    const startedAt = Date.now();
    const answer = await fetch(`${base}/token/access`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'someapp', refresh_token: 'x.y.z' }),
      signal: AbortSignal.timeout(15000),
    });
    const took = Date.now() - startedAt;
    const text = await answer.text();
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(JSON.parse(text)).toMatchObject({ error: 'service_unavailable' });
    expect(text).not.toMatch(STACK);
    // DATABASE_CONNECT_TIMEOUT=2s, not pg's wait-forever or Sequelize's 60 s acquire.
    expect(took).toBeLessThan(8000);
    await waitFor(() => /database unavailable \(SequelizeConnection\w*Error\): answered 503/.test(server.output()));
  });
});

describe('a SQLite file that refuses writes', () => {
  let ctx: TestContext;
  let file: string;
  const logs = captureStream();
  beforeEach(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-sqlite-fault-'));
    const logger = pino({ level: 'info' }, logs.stream);
    file = path.join(dir, 'jawth.sqlite');
    // DATABASE_CONNECT_TIMEOUT=1s: SQLite waits a second for another process's lock.
    ctx = await createTestContext({ databaseConnectTimeout: 1 }, { sqliteFile: file, logger });
  });
  afterEach(async () => ctx.close());

  it('read-only (SQLITE_READONLY): 503 service_unavailable with Retry-After, reads still work', async () => {
    const existing = await createApplication(ctx.app);
    await ctx.db.query('PRAGMA query_only = ON');

    const answer = await admin(ctx.app, 'post', '/applications', { name: 'refused' });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toMatch(/^\d+$/);
    expect(answer.body).toMatchObject({ error: 'service_unavailable' });
    expect(answer.text).not.toMatch(STACK);
    expect(logs.text()).toMatch(/database unavailable \(SQLITE_READONLY\): answered 503/);
    expect((await admin(ctx.app, 'get', `/applications/${existing.name}`)).status).toBe(200);
  });

  it('full (SQLITE_FULL, the file capped at its current size): 503 service_unavailable, never 500', async () => {
    await ctx.db.query('PRAGMA max_page_count = 1');
    const statuses: number[] = [];
    for (let i = 0; i < 200 && !statuses.includes(503); i++) {
      statuses.push((await admin(ctx.app, 'post', '/applications', { name: `fill-${i}` })).status);
    }
    expect(statuses.filter((status) => status !== 201)).toEqual([503]);
    expect(logs.text()).toMatch(/database unavailable \(SQLITE_FULL\): answered 503/);
  });

  it('full: /token/access still answers 200, its last-use write is bookkeeping that may fail', async () => {
    const { app, refreshToken } = await loggedInUser(ctx.app);
    await ctx.db.query('PRAGMA max_page_count = 1');
    for (let i = 0; i < 200; i++) {
      if ((await admin(ctx.app, 'post', '/applications', { name: `fill-${i}` })).status === 503) break;
    }
    await fillSessionsPage(ctx);
    const answer = await request(ctx.app)
      .post('/token/access')
      .send({ namespace: app.name, refresh_token: refreshToken });
    expect(answer.status).toBe(200);
    expect(typeof answer.body.token).toBe('string');
    await waitFor(() => /last use of a session not recorded \(SQLITE_FULL\)/.test(logs.text()));
    const [rows] = await ctx.db.query("SELECT last_used_at FROM sessions WHERE token_hash NOT LIKE 'filler-%'");
    expect(rows).toEqual([{ last_used_at: null }]);
  });

  it('locked by another process beyond the busy timeout (SQLITE_BUSY): 503 within seconds, not a hang', async () => {
    const other = new sqlite3.Database(file);
    const run = (sql: string) =>
      new Promise<void>((resolve, reject) => other.run(sql, (e) => (e ? reject(e) : resolve())));
    await run('BEGIN EXCLUSIVE');
    try {
      const startedAt = Date.now();
      const answer = await admin(ctx.app, 'post', '/applications', { name: 'waits' });
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toMatch(/^\d+$/);
      // 1 s busy timeout, tried twice: not Sequelize's five tries of 5 s.
      expect(Date.now() - startedAt).toBeLessThan(8000);
      expect(logs.text()).toMatch(/database unavailable \(SQLITE_BUSY\): answered 503/);
    } finally {
      await run('ROLLBACK');
      await new Promise((resolve) => other.close(resolve));
    }
    expect((await admin(ctx.app, 'post', '/applications', { name: 'after' })).status).toBe(201);
  });
});

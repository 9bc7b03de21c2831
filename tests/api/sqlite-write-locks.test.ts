import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import sqlite3 from 'sqlite3';
import { exportDump } from '../../src/services/import/dump-export.service';
import { importDump } from '../../src/services/import/dump-import.service';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

// Write transactions begin IMMEDIATE on SQLite: a deferred one that read, then wrote, got
// SQLITE_BUSY at once (no busy wait) whenever another connection had committed in between.

/** Another process's connection writing short transactions in a loop, until stopped. */
function otherWriter(file: string) {
  const db = new sqlite3.Database(file);
  db.configure('busyTimeout', 5000);
  const exec = (sql: string) =>
    new Promise<void>((resolve, reject) => db.exec(sql, (e) => (e ? reject(e) : resolve())));
  let running = true;
  let writes = 0;
  const loop = (async () => {
    await exec('CREATE TABLE IF NOT EXISTS other_writes (n INTEGER)');
    while (running) {
      await exec('BEGIN IMMEDIATE; INSERT INTO other_writes VALUES (1); COMMIT');
      writes += 1;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await new Promise((resolve) => db.close(resolve));
      return writes;
    },
  };
}

/** `count` users copied from one, straight in SQL (creating them through bcrypt would take minutes). */
async function addUsers(ctx: TestContext, appName: string, count: number): Promise<void> {
  const template = await createUser(ctx.app, appName);
  await ctx.db.query(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
     INSERT INTO users (uid, application_id, username, password_hash, role, disabled, created_at, updated_at)
     SELECT printf('%08d-0000-4000-8000-000000000000', i), u.application_id, u.username || '-' || i,
            u.password_hash, u.role, u.disabled, u.created_at, u.updated_at
     FROM n, users u WHERE u.username = '${template.username}'`,
  );
}

describe('SQLite write transactions beside another process writing', () => {
  let ctx: TestContext;
  let file: string;
  beforeEach(async () => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-sqlite-locks-')), 'jawth.sqlite');
    ctx = await createTestContext({}, { sqliteFile: file });
  });
  afterEach(async () => ctx.close());

  it('an import of 2,000 users into the live file imports them all, no SQLITE_BUSY', async () => {
    // The dump is made on SQLite as well (addUsers writes SQLite's SQL), whatever TEST_DATABASE_URL says.
    const source = await createTestContext({}, { sqliteFile: `${file}.source` });
    let dump = '';
    try {
      const app = await createApplication(source.app, { name: 'imported' });
      await addUsers(source, app.name, 2000);
      const out = new PassThrough();
      out.on('data', (chunk: Buffer) => (dump += chunk.toString()));
      await exportDump(source.deps, out, {});
      out.end();
    } finally {
      await source.close();
    }
    const other = otherWriter(file);
    try {
      // Read twice: once to check every record, once to write.
      const input = () => {
        const stream = new PassThrough();
        stream.end(dump);
        return stream;
      };
      const summary = await importDump(ctx.deps, input, { batchSize: 100 });
      expect(summary.users).toMatchObject({ created: 2000, skipped: 0 });
    } finally {
      expect(await other.stop()).toBeGreaterThan(0);
    }
    const [[row]] = (await ctx.db.query(
      "SELECT COUNT(*) AS n FROM users u JOIN applications a ON a.id = u.application_id WHERE a.name = 'imported'",
    )) as [Array<{ n: number }>, unknown];
    expect(row.n).toBe(2000);
  });

  it('deleting an application with 5,000 users while logins run and another process writes: all succeed', async () => {
    const doomed = await createApplication(ctx.app);
    await addUsers(ctx, doomed.name, 5000);
    const live = await createApplication(ctx.app);
    const user = await createUser(ctx.app, live.name);
    const other = otherWriter(file);
    let deleting = true;
    const statuses: number[] = [];
    const logins = (async () => {
      while (deleting) statuses.push((await login(ctx.app, live.name, user.username, user.password)).status);
    })();
    try {
      const answer = await admin(ctx.app, 'delete', `/applications/${doomed.name}`);
      expect(answer.status).toBe(204);
    } finally {
      deleting = false;
      await logins;
      await other.stop();
    }
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const [[row]] = (await ctx.db.query(
      'SELECT COUNT(*) AS n FROM users WHERE application_id NOT IN (SELECT id FROM applications)',
    )) as [Array<{ n: number }>, unknown];
    expect(row.n).toBe(0);
    expect((await admin(ctx.app, 'get', `/applications/${doomed.name}`)).status).toBe(404);
  });
});

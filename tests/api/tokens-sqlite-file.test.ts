import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

// On a SQLite file the token hot path reads through read-only connections of its own
// (src/db/sqlite-readers.ts): what the main connection commits must be seen at once.
// Rotations go through a read-write connection of their own, in one transaction each
// (src/db/sqlite-writer.ts): they must respect what Sequelize's connection writes, and the other way round.
let ctx: TestContext;
let file: string;
// Renewals refused by a revocation count as failures of the one test IP: no ceiling here.
const overrides = { refreshReuseGrace: 10, loginMaxFailures: 1000, loginMaxFailuresPerIp: 1_000_000 };
beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-file-'));
  file = path.join(dir, 'jawth.sqlite');
  ctx = await createTestContext(overrides, { sqliteFile: file });
});
afterAll(async () => ctx.close());

const access = (namespace: string, refresh_token: string) =>
  request(ctx.app).post('/token/access/5m').send({ namespace, refresh_token });
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('token endpoints on a SQLite file', () => {
  it('read through the read-only connections, and rotate through the writer', async () => {
    expect(ctx.deps.readers.usable).toBe(true);
    expect(ctx.deps.writer.usable).toBe(true);
    // Durability kept: a commit (a revocation) is on disk once answered; WAL, as Sequelize's connection set it.
    expect(await ctx.deps.writer.get('PRAGMA synchronous', [])).toEqual({ synchronous: 2 });
    expect(await ctx.deps.writer.get('PRAGMA journal_mode', [])).toEqual({ journal_mode: 'wal' });
  });

  it('see group changes, revocation and disabling on the very next request', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const refresh = (
      await request(ctx.app)
        .post('/token/refresh/1h')
        .send({ namespace: app.name, username: user.username, password: user.password })
    ).body.token as string;
    expect((await access(app.name, refresh)).status).toBe(200);

    await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'staff' });
    await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, { groups: ['staff'] });
    expect(claimsOf((await access(app.name, refresh)).body.token).groups).toEqual(['staff']);

    // Each reader's prepared statement, used again and again, must not keep an old snapshot.
    const statuses = async () =>
      (await Promise.all([1, 2, 3, 4].map(() => access(app.name, refresh)))).map((r) => r.status);
    expect(await statuses()).toEqual([200, 200, 200, 200]);
    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`).expect(204);
    expect(await statuses()).toEqual([401, 401, 401, 401]);

    const other = await createUser(ctx.app, app.name);
    const login = await request(ctx.app)
      .post(`/${app.name}/login`)
      .send({ username: other.username, password: other.password });
    expect((await access(app.name, login.body.refresh_token)).status).toBe(200);
    await admin(ctx.app, 'patch', `/${app.name}/users/${other.username}`, { disabled: true });
    expect((await access(app.name, login.body.refresh_token)).status).toBe(401);
  });

  it('rotate refresh tokens and detect reuse after the grace', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const login = await request(ctx.app)
      .post(`/${app.name}/login`)
      .send({ username: user.username, password: user.password });
    const next = await request(ctx.app).post(`/${app.name}/refresh`).send({ refresh_token: login.body.refresh_token });
    expect(next.status).toBe(200);
    ctx.clock.advance(ctx.config.refreshReuseGrace + 1);
    const reused = await request(ctx.app)
      .post(`/${app.name}/refresh`)
      .send({ refresh_token: login.body.refresh_token });
    expect(reused.body.error).toBe('refresh_token_reused');
    expect((await access(app.name, next.body.refresh_token)).status).toBe(401);
  });
});

describe('rotation bursts on a SQLite file', () => {
  const rotate = (app: Parameters<typeof request>[0], appName: string, refresh_token: string) =>
    request(app).post(`/${appName}/refresh`).send({ refresh_token });
  const sessionsOf = async (uid: string) => {
    const user = await ctx.models.User.findOne({ where: { uid } });
    return ctx.models.Session.findAll({ where: { userId: user?.id } });
  };

  async function loggedIn() {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const res = await login(ctx.app, app.name, user.username, user.password);
    expect(res.status).toBe(200);
    return { app, user, refresh: res.body.refresh_token as string };
  }

  it('50 concurrent rotations of one token: one spends it, every one gets a successor of its family', async () => {
    const { app, user, refresh } = await loggedIn();

    const answers = await Promise.all(Array.from({ length: 50 }, () => rotate(ctx.app, app.name, refresh)));

    expect(answers.map((res) => res.status)).toEqual(Array(50).fill(200));
    const sessions = await sessionsOf(user.uid);
    expect(sessions).toHaveLength(51);
    expect(new Set(sessions.map((s) => s.familyId)).size).toBe(1);
    expect(sessions.filter((s) => s.usedAt !== null)).toHaveLength(1);
    expect(sessions.filter((s) => s.revokedAt !== null)).toHaveLength(0);
    // The successors were written as Sequelize writes times: it reads them back as the same instants.
    const successor = sessions.find((s) => s.usedAt === null && s.revokedAt === null);
    expect(successor?.expiresAt.getTime()).toBeGreaterThan(ctx.clock.now().getTime());
    expect(Math.abs((successor?.createdAt.getTime() ?? 0) - ctx.clock.now().getTime())).toBeLessThan(1000);

    // After the grace, the first token again ends the whole family, successors included.
    ctx.clock.advance(11);
    const reused = await rotate(ctx.app, app.name, refresh);
    expect(reused.body.error).toBe('refresh_token_reused');
    expect((await sessionsOf(user.uid)).filter((s) => s.revokedAt === null)).toHaveLength(0);
    const successors = answers.map((res) => res.body.refresh_token as string);
    expect((await rotate(ctx.app, app.name, successors[0])).status).toBe(401);
  });

  it('a revocation racing 50 rotations leaves no live session of the family', async () => {
    for (let round = 0; round < 5; round++) {
      const { app, user, refresh } = await loggedIn();
      const first = await rotate(ctx.app, app.name, refresh);
      expect(first.status).toBe(200);
      const token = first.body.refresh_token as string;

      const inFlight = Array.from({ length: 50 }, () => rotate(ctx.app, app.name, token).then((res) => res));
      await new Promise((resolve) => setTimeout(resolve, 3 * round));
      const revoked = await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`);
      const renewals = await Promise.all(inFlight);

      expect(revoked.status).toBe(204);
      for (const res of renewals) expect([200, 401]).toContain(res.status);
      const live = (await sessionsOf(user.uid)).filter((s) => s.revokedAt === null);
      expect(live).toHaveLength(0);
    }
  });

  it('rotations that read their token before a revocation and write after it make no live successor', async () => {
    // Each rotation's transaction is held until the revocation has answered: every one of them
    // read a good token, and must find it revoked when it writes.
    const { app, user, refresh } = await loggedIn();
    const first = await rotate(ctx.app, app.name, refresh);
    const token = first.body.refresh_token as string;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let held = 0;
    const writer = ctx.deps.writer;
    const script = writer.script.bind(writer);
    const spy = jest.spyOn(writer, 'script').mockImplementation(async (sql) => {
      held++;
      await gate;
      return script(sql);
    });
    try {
      const inFlight = Array.from({ length: 50 }, () => rotate(ctx.app, app.name, token).then((res) => res));
      while (held < 50) await new Promise((resolve) => setTimeout(resolve, 5));
      await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`).expect(204);
      open();
      const renewals = await Promise.all(inFlight);
      expect(renewals.map((res) => res.status)).toEqual(Array(50).fill(401));
      expect((await sessionsOf(user.uid)).filter((s) => s.revokedAt === null)).toHaveLength(0);
    } finally {
      open();
      spy.mockRestore();
    }
  });

  it("stores a rotation's user agent as sent, quotes and SQL included, and runs nothing of it", async () => {
    const { app, user, refresh } = await loggedIn();
    const agent = "x'); DELETE FROM sessions; -- \\code'' X'00' \\'";

    const res = await request(ctx.app)
      .post(`/${app.name}/refresh`)
      .set('User-Agent', agent)
      .send({ refresh_token: refresh });

    expect(res.status).toBe(200);
    const sessions = await sessionsOf(user.uid);
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => s.userAgent)).toContain(agent);
    expect(await ctx.models.Session.count()).toBeGreaterThan(2);
  });

  it('two instances on one file (two stores, two writers) rotate one token together', async () => {
    const other = await createTestContext(overrides, { sqliteFile: file });
    // One time for both instances, as one machine's clock: each context's fake clock starts at its
    // creation, and on a slow run the gap between them passed REFRESH_REUSE_GRACE, so one instance
    // took the other's spend for a reuse and revoked the family (401s).
    other.clock.advance((ctx.clock.now().getTime() - other.clock.now().getTime()) / 1000);
    try {
      expect(other.deps.writer).not.toBe(ctx.deps.writer);
      const { app, user, refresh } = await loggedIn();
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => rotate(i % 2 ? other.app : ctx.app, app.name, refresh)),
      );
      expect(answers.map((res) => res.status)).toEqual(Array(50).fill(200));
      const sessions = await sessionsOf(user.uid);
      expect(sessions).toHaveLength(51);
      expect(sessions.filter((s) => s.usedAt !== null)).toHaveLength(1);

      // A revocation through one instance ends what the other made.
      const successor = answers[1].body.refresh_token as string;
      await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`).expect(204);
      expect((await rotate(other.app, app.name, successor)).status).toBe(401);
      expect((await sessionsOf(user.uid)).filter((s) => s.revokedAt === null)).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

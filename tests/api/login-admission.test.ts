import request from 'supertest';
import { Op } from 'sequelize';
import { HASH_THREADS, onHashThread } from '../../src/crypto/hash-gate';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD } from '../helpers/factories';

// docs/api.md, Brute-force protection: at most LOGIN_QUEUE_MAX password checks per process; past it
// 503 overloaded at once, before any database work, summarised in the audit log.
const QUEUE_MAX = 3;
const FLOOD = 40;
let ctx: TestContext;

beforeAll(async () => {
  // A real cost, so that checks last long enough to pile up.
  ctx = await createTestContext({ bcryptCost: 10, loginQueueMax: QUEUE_MAX, trustProxy: true });
});
afterAll(() => ctx.close());

const login = (app: string, username: string, password: string, ip = '198.51.100.9') =>
  request(ctx.app).post(`/${app}/login`).set('X-Forwarded-For', ip).send({ username, password });

async function usersOf(app: string, count: number) {
  const users = [];
  for (let i = 0; i < count; i++) users.push(await createUser(ctx.app, app, { username: `flood-${i}` }));
  return users;
}

describe('a flood of logins', () => {
  it('admits LOGIN_QUEUE_MAX checks at a time; the rest get 503 overloaded with Retry-After and touch nothing', async () => {
    const { name } = await createApplication(ctx.app);
    const users = await usersOf(name, FLOOD);

    const answers = await Promise.all(users.map((u) => login(name, u.username, u.password)));

    const statuses = answers.map((res) => res.status);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    const refused = answers.filter((res) => res.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(QUEUE_MAX);
    for (const res of refused) {
      expect(res.body).toEqual({ error: 'overloaded', message: expect.any(String) });
      expect(res.headers['retry-after']).toBe('1');
    }

    // The refused logins made no session and no last login: nothing ran for them.
    const admitted = users.filter((_, i) => statuses[i] === 200).map((u) => u.username);
    const loggedIn = await ctx.models.User.findAll({ where: { username: users.map((u) => u.username) } });
    expect(
      loggedIn
        .filter((u) => u.lastLoginAt !== null)
        .map((u) => u.username)
        .sort(),
    ).toEqual([...admitted].sort());
    expect(await ctx.models.Session.count({ where: { userId: loggedIn.map((u) => u.id) } })).toBe(admitted.length);
    // A refusal counts no failure: the refused users log in at once afterwards.
    const [second] = users.filter((_, i) => statuses[i] === 503);
    expect((await login(name, second.username, second.password)).status).toBe(200);
  });

  it('summarises the refusals in the audit log like 429s, one entry per key with a count', async () => {
    const { name } = await createApplication(ctx.app);
    const user = await createUser(ctx.app, name);
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, () => login(name, user.username, user.password, '198.51.100.10')),
    );
    const refused = answers.filter((res) => res.status === 503).length;
    expect(refused).toBeGreaterThan(0);

    // Counts are written to their entry within a second.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const rows = await ctx.models.AuditEntry.findAll({
      where: { app: name, action: 'login', outcome: 'overloaded' },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0].target).toBe(user.username);
    expect(JSON.parse(rows[0].detail ?? '{}')).toMatchObject({ count: refused, retry_after: 1 });
    expect(await ctx.models.AuditEntry.count({ where: { app: name, action: 'login', outcome: 'success' } })).toBe(
      FLOOD - refused,
    );
  });

  it('every other password route is admitted the same way: the admin login, credentials for a refresh token, sign-up', async () => {
    const { name } = await createApplication(ctx.app, { signup: 'open' });
    const user = await createUser(ctx.app, name);
    const sends = [
      () => request(ctx.app).post('/admin/login').send({ username: 'nobody', password: GOOD_PASSWORD }),
      () =>
        request(ctx.app)
          .post('/token/refresh/1h')
          .send({ namespace: name, username: user.username, password: user.password }),
      () =>
        request(ctx.app)
          .post(`/${name}/signup`)
          .set('X-Forwarded-For', `198.51.100.${Math.floor(Math.random() * 200)}`)
          .send({ username: `s-${Math.random().toString(36).slice(2)}`, password: GOOD_PASSWORD }),
    ];
    for (const send of sends) {
      const answers = await Promise.all(Array.from({ length: 20 }, send));
      expect(answers.filter((res) => res.status === 503).length).toBeGreaterThan(0);
      for (const res of answers.filter((r) => r.status === 503)) expect(res.body.error).toBe('overloaded');
    }
    // Sign-ups refused for overload created nothing.
    const signups = await ctx.models.User.count({ where: { username: { [Op.like]: 's-%' } } });
    expect(signups).toBeLessThan(20);
  });

  it('a login after the flood is admitted at once', async () => {
    const { name } = await createApplication(ctx.app);
    const user = await createUser(ctx.app, name);
    const flood = Promise.all(Array.from({ length: FLOOD }, () => login(name, user.username, 'wrong-password-1')));
    await flood;
    const other = await createUser(ctx.app, name);
    expect((await login(name, other.username, other.password, '198.51.100.11')).status).toBe(200);
  });
});

describe('the hash gate', () => {
  it('runs at most UV_THREADPOOL_SIZE - 1 hashes at once, in arrival order', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const tasks = Array.from({ length: 10 }, (_, i) =>
      onHashThread(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
      }),
    );
    while (started.length < 10) {
      await new Promise((resolve) => setImmediate(resolve));
      releases.shift()?.();
    }
    releases.forEach((release) => release());
    await Promise.all(tasks);
    expect(HASH_THREADS).toBe(3);
    expect(most).toBe(HASH_THREADS);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

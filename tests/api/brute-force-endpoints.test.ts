import request from 'supertest';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { createTestContext, type TestContext } from '../helpers/context';
import { GOOD_PASSWORD, createApplication, createUser, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ loginMaxFailures: 3, loginMaxFailuresPerIp: 5, trustProxy: true });
});
afterAll(async () => ctx.close());

describe('brute-force protection beyond /:app/login', () => {
  it('locks /token/refresh after LOGIN_MAX_FAILURES, even for the right password, and audits it', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const send = (password: string) =>
      request(ctx.app)
        .post('/token/refresh/10m')
        .set('X-Forwarded-For', '203.0.113.1')
        .send({ namespace: app.name, username: user.username, password });
    for (let i = 0; i < 3; i++) expect((await send('wrong-password')).status).toBe(401);
    const locked = await send(user.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const rows = await ctx.models.AuditEntry.findAll({ where: { action: 'token.refresh', target: user.username } });
    expect(rows.map((r) => r.outcome).sort()).toEqual(['failure', 'failure', 'failure', 'rate_limited']);
  });

  it('never counts correct logins in flight: 10 at once from one IP all succeed, and lock nothing', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const send = () =>
      request(ctx.app)
        .post(`/${app.name}/login`)
        .set('X-Forwarded-For', '203.0.113.4')
        .send({ username: user.username, password: user.password });
    const answers = await Promise.all(Array.from({ length: 10 }, send));
    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(200));
    expect((await send()).status).toBe(200);
  });

  it('locks /admin/login after LOGIN_MAX_FAILURES, even for the right password', async () => {
    const username = uniqueName('admin');
    await ensureAdminAccount(username, GOOD_PASSWORD, ctx.config, ctx.deps);
    const send = (password: string) =>
      request(ctx.app).post('/admin/login').set('X-Forwarded-For', '203.0.113.2').send({ username, password });
    for (let i = 0; i < 3; i++) expect((await send('wrong-password')).status).toBe(401);
    const locked = await send(GOOD_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('rate_limited');
  });

  it('limits bad refresh tokens on /:app/refresh per source IP', async () => {
    const app = await createApplication(ctx.app);
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      const res = await request(ctx.app)
        .post(`/${app.name}/refresh`)
        .set('X-Forwarded-For', '203.0.113.3')
        .send({ refresh_token: `not-a-token-${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it.each([
    [
      '/token/refresh',
      (app: string, username: string, password: string) =>
        request(ctx.app)
          .post('/token/refresh')
          .set('X-Forwarded-For', '203.0.113.20')
          .send({ namespace: app, username, password }),
    ],
    [
      '/admin/login',
      (_app: string, username: string, password: string) =>
        request(ctx.app).post('/admin/login').set('X-Forwarded-For', '203.0.113.21').send({ username, password }),
    ],
  ])('%s: 20 guesses sent at once, the right one last, get 3 checks and no success', async (path, send) => {
    const app = await createApplication(ctx.app);
    const user =
      path === '/admin/login'
        ? { username: uniqueName('admin'), password: GOOD_PASSWORD }
        : await createUser(ctx.app, app.name);
    if (path === '/admin/login') await ensureAdminAccount(user.username, user.password, ctx.config, ctx.deps);
    const guesses = [...Array.from({ length: 19 }, (_, i) => `wrong-password-${i}`), user.password];

    const statuses = (await Promise.all(guesses.map((p) => send(app.name, user.username, p)))).map((r) => r.status);

    expect(statuses.filter((s) => s === 200)).toHaveLength(0);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
  });
});

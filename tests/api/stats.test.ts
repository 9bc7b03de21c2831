import request from 'supertest';
import { LIMITS, fromIp } from '../helpers/brute-force-cases';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ ...LIMITS, loginMaxFailuresPerIp: 1000 });
});
afterAll(async () => ctx.close());

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Moves the test's clock forward to an exact time (it only goes forward). */
function moveTo(at: Date): void {
  const seconds = (at.getTime() - ctx.clock.now().getTime()) / 1000;
  if (seconds < 0) throw new Error(`the clock is already past ${at.toISOString()}`);
  ctx.clock.advance(seconds);
}

interface Bucket {
  at: string;
  logins: number;
  failures: number;
  lockouts: number;
}

/** A series of zero buckets from `from`, with the given ones filled in. */
function series(from: Date, size: number, count: number, filled: Record<number, Partial<Bucket>>): Bucket[] {
  return Array.from({ length: count }, (_, index) => ({
    at: new Date(from.getTime() + index * size * 1000).toISOString(),
    logins: 0,
    failures: 0,
    lockouts: 0,
    ...filled[index],
  }));
}

const stats = (app?: string) => admin(ctx.app, 'get', app ? `/stats?app=${app}` : '/stats');

/** The stats once the summarised 429 entries have their counts written (at most a second later). */
async function settledStats(app: string | undefined, lockouts: number) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await stats(app);
    const total = (res.body.hourly as Bucket[]).reduce((sum, bucket) => sum + bucket.lockouts, 0);
    if (total >= lockouts || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('GET /stats', () => {
  it('needs an admin credential: 401 without one and with a user’s token', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const token = (await login(ctx.app, app.name, user.username, user.password)).body.token as string;

    const anonymous = await request(ctx.app).get('/stats');
    const asUser = await request(ctx.app).get('/stats').set('Authorization', `Bearer ${token}`);

    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('unauthorized');
    expect(asUser.status).toBe(401);
    expect(asUser.body.error).toBe('unauthorized');
  });

  it('refuses an unknown application (404) and a name no application can have (400)', async () => {
    expect((await stats('no-such-app')).status).toBe(404);
    const bad = await admin(ctx.app, 'get', '/stats?app=Not%20Valid');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('app');
  });

  it('counts logins, failures and lockouts per hour and per day, users, live sessions and security events', async () => {
    // "Now" will be 10:30 UTC of a day D ten days ahead; the clock walks there from D-8.
    const today = new Date(Math.floor(ctx.clock.now().getTime() / 1000 / DAY + 10) * DAY * 1000);
    const at = (days: number, time: string) => new Date(today.getTime() + days * DAY * 1000 + seconds(time) * 1000);
    moveTo(at(-8, '12:00:00'));
    // The earlier tests' users; their sessions (one day at most) have expired.
    const baseline = (await stats()).body as { users: number; active_sessions: number };
    expect(baseline.active_sessions).toBe(0);
    const shop = await createApplication(ctx.app, { refresh_ttl_max: '2d' });
    const blog = await createApplication(ctx.app, { refresh_ttl_max: '2d' });
    const alice = await createUser(ctx.app, shop.name);
    const [bob, carol] = [await createUser(ctx.app, blog.name), await createUser(ctx.app, blog.name)];
    const shopLogin = (password = alice.password) => login(ctx.app, shop.name, alice.username, password);

    // Older than 7 days: counted nowhere.
    expect((await shopLogin()).status).toBe(200);
    // Day D-3: two logins and a failure.
    moveTo(at(-3, '12:00:00'));
    expect((await shopLogin()).status).toBe(200);
    expect((await shopLogin()).status).toBe(200);
    expect((await shopLogin('wrong-password')).status).toBe(401);
    // D-1: a login a second before the 24 hours, a failure at their first second.
    moveTo(at(-1, '10:59:59'));
    expect((await shopLogin()).status).toBe(200);
    moveTo(at(-1, '11:00:00'));
    expect((await shopLogin('wrong-password')).status).toBe(401);
    // D 08:15: three failures lock bob out, two refusals follow; carol logs in.
    moveTo(at(0, '08:15:00'));
    for (let i = 0; i < 3; i++)
      expect((await fromIp(ctx.app, blog.name, bob.username, 'nope', '192.0.2.7')).status).toBe(401);
    for (let i = 0; i < 2; i++)
      expect((await fromIp(ctx.app, blog.name, bob.username, 'nope', '192.0.2.7')).status).toBe(429);
    expect((await fromIp(ctx.app, blog.name, carol.username, carol.password, '192.0.2.8')).status).toBe(200);
    // D 10:30: the shop's secret is read, alice logs in and her spent refresh token comes back too late.
    moveTo(at(0, '10:30:00'));
    expect((await admin(ctx.app, 'get', `/applications/${shop.name}?include_secret=true`)).status).toBe(200);
    const session = await shopLogin();
    const refresh = (token: string) => request(ctx.app).post(`/${shop.name}/refresh`).send({ refresh_token: token });
    expect((await refresh(session.body.refresh_token)).status).toBe(200);
    ctx.clock.advance(ctx.config.refreshReuseGrace + 1);
    expect((await refresh(session.body.refresh_token)).body.error).toBe('refresh_token_reused');

    const shopStats = await stats(shop.name);
    const blogStats = await settledStats(blog.name, 2);
    const overall = await settledStats(undefined, 2);

    const hours = at(-1, '11:00:00');
    const days = at(-6, '00:00:00');
    expect(shopStats.status).toBe(200);
    expect(shopStats.body).toEqual({
      app: shop.name,
      users: 1,
      // The D-1 login's session lives (2d); older ones expired, the latest family was revoked for its reuse.
      active_sessions: 1,
      hourly: series(hours, HOUR, 24, { 0: { failures: 1 }, 23: { logins: 1 } }),
      daily: series(days, DAY, 7, { 3: { logins: 2, failures: 1 }, 5: { logins: 1, failures: 1 }, 6: { logins: 1 } }),
      recent_security_events: [
        expect.objectContaining({
          action: 'refresh.reuse',
          app: shop.name,
          target: alice.username,
          outcome: 'failure',
        }),
        expect.objectContaining({ action: 'application.read_secret', app: shop.name, target: shop.name }),
      ],
    });
    expect(blogStats.body).toEqual({
      app: blog.name,
      users: 2,
      active_sessions: 1,
      hourly: series(hours, HOUR, 24, { 21: { logins: 1, failures: 3, lockouts: 2 } }),
      daily: series(days, DAY, 7, { 6: { logins: 1, failures: 3, lockouts: 2 } }),
      recent_security_events: [
        expect.objectContaining({
          action: 'login',
          app: blog.name,
          target: bob.username,
          outcome: 'rate_limited',
          detail: expect.objectContaining({ count: 2 }),
        }),
      ],
    });
    expect(overall.body).toMatchObject({
      app: null,
      users: baseline.users + 3,
      active_sessions: baseline.active_sessions + 2,
      hourly: series(hours, HOUR, 24, {
        0: { failures: 1 },
        21: { logins: 1, failures: 3, lockouts: 2 },
        23: { logins: 1 },
      }),
      daily: series(days, DAY, 7, {
        3: { logins: 2, failures: 1 },
        5: { logins: 1, failures: 1 },
        6: { logins: 2, failures: 3, lockouts: 2 },
      }),
    });
    expect(overall.body.recent_security_events.map((e: { action: string; outcome: string }) => e.action)).toEqual([
      'refresh.reuse',
      'application.read_secret',
      'login',
    ]);
  });
});

function seconds(time: string): number {
  const [h, m, s] = time.split(':').map(Number);
  return h * HOUR + m * 60 + s;
}

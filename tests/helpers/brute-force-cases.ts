import type { Express } from 'express';
import request from 'supertest';
import type { Models } from '../../src/db/models';
import type { Config } from '../../src/config/config';
import { createTestContext, type TestContext } from './context';
import { createApplication, createUser } from './factories';

/** Three failures lock a triple; the per-IP and per-account ceilings are set per test. */
export const LIMITS: Partial<Config> = { loginMaxFailures: 3, loginLockout: 900, trustProxy: true };

export const fromIp = (app: Express, appName: string, username: string, password: string, ip: string) =>
  request(app).post(`/${appName}/login`).set('X-Forwarded-For', ip).send({ username, password });

export const outcomes = ({ AuditEntry }: Models, app: string, target: string) =>
  AuditEntry.findAll({ where: { app, target, action: 'login' }, order: [['id', 'ASC']] }).then((rows) =>
    rows.map((row) => row.outcome),
  );

/**
 * These cases test the shared store itself: a busy test machine must not pass for a frozen Redis
 * and send them to the per-process fall-back (tests/services/brute-force-redis.test.ts tests that).
 */
const PATIENT = { redisCommandTimeoutMs: 5000 };

/**
 * The cases must run on the store they name: a Redis that is down would send them to the
 * in-memory fall-back, where they pass without testing Redis. Refuse to start, and check after
 * each case that the store never fell back.
 */
async function onStore(ctx: TestContext, storeConfig: Partial<Config>): Promise<void> {
  const expected = storeConfig.redisUrl ? 'redis' : 'memory';
  if (expected === 'redis' && !(await ctx.limiter.ready(5000))) {
    await ctx.close();
    throw new Error(`Redis at ${storeConfig.redisUrl} does not answer: start redis-server (or set TEST_REDIS_URL).`);
  }
  expect(ctx.limiter.store()).toBe(expected);
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

/** The summarised 429 entries of one key: their rows and the refusals they stand for, once written. */
export async function refusals({ AuditEntry }: Models, app: string, target: string | null, expected: number) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const rows = await AuditEntry.findAll({ where: { app, target, outcome: 'rate_limited' } });
    const total = rows.reduce(
      (sum, row) => sum + Number((JSON.parse(row.detail ?? '{}') as { count?: number }).count),
      0,
    );
    if (total >= expected || Date.now() > deadline) return { rows: rows.length, total };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The brute-force limits (docs/api.md) on one store: the rules each hold for requests sent one after the other and for
 * bursts sent all at once, on one instance and across two that share the store.
 */
export function bruteForceCases(storeConfig: Partial<Config>): void {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ ...LIMITS, loginMaxFailuresPerIp: 1000, ...storeConfig }, PATIENT);
    await onStore(ctx, storeConfig);
  });
  afterEach(() => expect(ctx.limiter.store()).toBe(storeConfig.redisUrl ? 'redis' : 'memory'));
  afterAll(async () => ctx.close());

  it('locks (app, username, IP) after LOGIN_MAX_FAILURES failures: 429 with Retry-After, even for the right password', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    for (let i = 0; i < 3; i++) {
      expect((await fromIp(ctx.app, app.name, user.username, 'wrong-password', '192.0.2.9')).status).toBe(401);
    }

    const locked = await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.9');

    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('rate_limited');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(await outcomes(ctx.models, app.name, user.username)).toEqual([
      'failure',
      'failure',
      'failure',
      'rate_limited',
    ]);
  });

  it('a success resets the consecutive failures', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) {
        expect((await fromIp(ctx.app, app.name, user.username, 'wrong-password', '192.0.2.10')).status).toBe(401);
      }
      expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.10')).status).toBe(200);
    }
    expect((await outcomes(ctx.models, app.name, user.username)).filter((o) => o === 'success')).toHaveLength(3);
  });

  it('40 guesses sent at once, the right one last: exactly LOGIN_MAX_FAILURES are checked (401), none succeeds', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const guesses = [...Array.from({ length: 39 }, (_, i) => `wrong-password-${i}`), user.password];

    const answers = await Promise.all(guesses.map((p) => fromIp(ctx.app, app.name, user.username, p, '192.0.2.11')));

    const statuses = answers.map((res) => res.status);
    expect(statuses.at(-1)).toBe(429);
    expect(count(statuses, 200)).toBe(0);
    expect(count(statuses, 401)).toBe(3);
    expect(count(statuses, 429)).toBe(37);
    const audit = await outcomes(ctx.models, app.name, user.username);
    expect(audit.filter((o) => o === 'failure')).toHaveLength(3);
    expect(audit.filter((o) => o === 'success')).toHaveLength(0);
    // The 37 refusals are one summarised entry, not 37 rows.
    expect(await refusals(ctx.models, app.name, user.username, 37)).toEqual({ rows: 1, total: 37 });
  });

  it('10 correct logins sent at once all succeed, and lock nothing', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.12')),
    );

    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(200));
    for (let i = 0; i < 2; i++) {
      expect((await fromIp(ctx.app, app.name, user.username, 'wrong-password', '192.0.2.12')).status).toBe(401);
    }
    expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.12')).status).toBe(200);
  });

  it('a burst split over two instances sharing the store gets LOGIN_MAX_FAILURES checks in all', async () => {
    const second = await ctx.secondInstance();
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const guesses = [...Array.from({ length: 29 }, (_, i) => `wrong-password-${i}`), user.password];

    const answers = await Promise.all(
      guesses.map((p, i) => fromIp(i % 2 ? second : ctx.app, app.name, user.username, p, '192.0.2.13')),
    );

    const statuses = answers.map((res) => res.status);
    expect(count(statuses, 200)).toBe(0);
    // In memory, each instance has counters of its own: the limit holds per instance.
    expect(count(statuses, 401)).toBe(storeConfig.redisUrl ? 3 : 6);
  });

  it('one (app, username) gets 10x LOGIN_MAX_FAILURES failures an hour over all IPs, bursts included', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);

    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        fromIp(ctx.app, app.name, user.username, 'wrong-password', `203.0.113.${Math.floor(i / 3) + 1}`),
      ),
    );

    expect(
      count(
        answers.map((res) => res.status),
        401,
      ),
    ).toBe(30);
    const res = await fromIp(ctx.app, app.name, user.username, user.password, '203.0.113.99');
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
}

/** The per-IP ceiling over all usernames, for sequential requests and for a burst. */
export function perIpCases(storeConfig: Partial<Config>): void {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ ...LIMITS, loginMaxFailuresPerIp: 4, ...storeConfig }, PATIENT);
    await onStore(ctx, storeConfig);
  });
  afterEach(() => expect(ctx.limiter.store()).toBe(storeConfig.redisUrl ? 'redis' : 'memory'));
  afterAll(async () => ctx.close());

  it('one IP gets LOGIN_MAX_FAILURES_PER_IP failures an hour over all usernames, other IPs go on', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    for (let i = 0; i < 4; i++) {
      expect((await fromIp(ctx.app, app.name, `nobody-${i}`, 'wrong-password', '192.0.2.1')).status).toBe(401);
    }

    expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.1')).status).toBe(429);
    expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.2')).status).toBe(200);
  });

  it('30 guesses at once over 30 usernames from one IP: 4 are checked, and a new username then gets 429', async () => {
    const app = await createApplication(ctx.app);

    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => fromIp(ctx.app, app.name, `guess-${i}`, 'wrong-password', '192.0.2.3')),
    );

    const statuses = answers.map((res) => res.status);
    expect(count(statuses, 401)).toBe(4);
    expect(count(statuses, 429)).toBe(26);
    expect((await fromIp(ctx.app, app.name, 'someone-new', 'wrong-password', '192.0.2.3')).status).toBe(429);
    expect((await fromIp(ctx.app, app.name, 'someone-new', 'wrong-password', '192.0.2.4')).status).toBe(401);
  });

  it('guesses refused by a locked account still count on the IP, so the IP then stops for every username', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    for (let i = 0; i < 3; i++) {
      expect((await fromIp(ctx.app, app.name, user.username, 'wrong-password', '192.0.2.5')).status).toBe(401);
    }
    expect((await fromIp(ctx.app, app.name, user.username, 'wrong-password', '192.0.2.5')).status).toBe(429);

    expect((await fromIp(ctx.app, app.name, 'someone-else', 'wrong-password', '192.0.2.5')).status).toBe(429);
    expect((await fromIp(ctx.app, app.name, 'someone-else', 'wrong-password', '192.0.2.6')).status).toBe(401);
  });

  it('an IPv6 client is counted by its /64: new addresses in it are no new limit, another /64 is', async () => {
    const app = await createApplication(ctx.app);
    for (let i = 1; i <= 4; i++) {
      const ip = `2001:db8:bb:2::${i.toString(16)}`;
      expect((await fromIp(ctx.app, app.name, `v6-${i}`, 'wrong-password', ip)).status).toBe(401);
    }

    expect((await fromIp(ctx.app, app.name, 'v6-new', 'wrong-password', '2001:db8:bb:2:ffff::19')).status).toBe(429);
    expect((await fromIp(ctx.app, app.name, 'v6-new', 'wrong-password', '2001:db8:bb:3::1')).status).toBe(401);
    // The audit log still names the address itself, not its network.
    const logged = await ctx.models.AuditEntry.findOne({ where: { app: app.name, target: 'v6-1' } });
    expect(logged?.ip).toBe('2001:db8:bb:2::1');
  });

  it("an IPv4 address written as IPv4-mapped IPv6 shares the IPv4 address's ceiling", async () => {
    const app = await createApplication(ctx.app);
    for (let i = 0; i < 2; i++) {
      expect((await fromIp(ctx.app, app.name, `v4-${i}`, 'wrong-password', '192.0.2.60')).status).toBe(401);
      expect((await fromIp(ctx.app, app.name, `m-${i}`, 'wrong-password', '::ffff:192.0.2.60')).status).toBe(401);
    }

    expect((await fromIp(ctx.app, app.name, 'v4-new', 'wrong-password', '192.0.2.60')).status).toBe(429);
    expect((await fromIp(ctx.app, app.name, 'v4-new', 'wrong-password', '::ffff:c000:23c')).status).toBe(429);
  });

  it('a request that is not a credential failure (400) does not count', async () => {
    const app = await createApplication(ctx.app);
    for (let i = 0; i < 6; i++) {
      expect((await fromIp(ctx.app, app.name, 'someone', '', '192.0.2.50')).status).toBe(400);
    }
    expect((await fromIp(ctx.app, app.name, 'someone', 'wrong-password', '192.0.2.50')).status).toBe(401);
  });
}

import Redis from 'ioredis';
import pino from 'pino';
import request from 'supertest';
import { AuditEntry } from '../../src/db/models';
import type { Config } from '../../src/config/config';
import { createTestContext, type TestContext } from '../helpers/context';
import { captureStream } from '../helpers/capture';
import { createApplication, createUser, login } from '../helpers/factories';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMITS: Partial<Config> = { loginMaxFailures: 3, loginLockout: 900, trustProxy: true };

const fromIp = (ctx: TestContext, appName: string, username: string, password: string, ip: string) =>
  request(ctx.app).post(`/${appName}/login`).set('X-Forwarded-For', ip).send({ username, password });

const outcomes = (app: string, target: string) =>
  AuditEntry.findAll({ where: { app, target, action: 'login' }, order: [['id', 'ASC']] }).then((rows) =>
    rows.map((row) => row.outcome),
  );

describe.each([
  ['memory', {}],
  ['redis', { redisUrl: REDIS_URL }],
])('brute-force protection (%s store)', (_store, storeConfig: Partial<Config>) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ ...LIMITS, loginMaxFailuresPerIp: 1000, ...storeConfig });
  });
  afterAll(async () => ctx.close());

  it('locks (app, username, IP) after LOGIN_MAX_FAILURES failures: 429 with Retry-After, even for the right password', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    for (let i = 0; i < 3; i++) {
      expect((await login(ctx.app, app.name, user.username, 'wrong-password')).status).toBe(401);
    }

    const locked = await login(ctx.app, app.name, user.username, user.password);

    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('rate_limited');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(await outcomes(app.name, user.username)).toEqual(['failure', 'failure', 'failure', 'rate_limited']);
  });

  it('a success resets the consecutive failures', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) {
        expect((await login(ctx.app, app.name, user.username, 'wrong-password')).status).toBe(401);
      }
      expect((await login(ctx.app, app.name, user.username, user.password)).status).toBe(200);
    }
    expect(await outcomes(app.name, user.username)).toEqual([
      'failure',
      'failure',
      'success',
      'failure',
      'failure',
      'success',
    ]);
  });

  it('50 wrong passwords sent at once yield at most LOGIN_MAX_FAILURES 401s, the rest 429', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);

    const answers = await Promise.all(
      Array.from({ length: 50 }, () => login(ctx.app, app.name, user.username, 'wrong-password')),
    );

    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(47);
    const audit = await outcomes(app.name, user.username);
    expect(audit.filter((o) => o === 'failure')).toHaveLength(3);
    expect(audit.filter((o) => o === 'rate_limited')).toHaveLength(47);
  });

  it('a locked triple leaves the same user on another IP and another user on the same IP alone', async () => {
    const app = await createApplication(ctx.app);
    const victim = await createUser(ctx.app, app.name);
    const other = await createUser(ctx.app, app.name);
    for (let i = 0; i < 4; i++) await fromIp(ctx, app.name, victim.username, 'wrong-password', '198.51.100.7');
    expect((await fromIp(ctx, app.name, victim.username, victim.password, '198.51.100.7')).status).toBe(429);

    expect((await fromIp(ctx, app.name, victim.username, victim.password, '198.51.100.8')).status).toBe(200);
    expect((await fromIp(ctx, app.name, other.username, other.password, '198.51.100.7')).status).toBe(200);
  });

  it('one (app, username) is limited to 10x LOGIN_MAX_FAILURES failures an hour over all IPs', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    for (let ip = 1; ip <= 10; ip++) {
      for (let i = 0; i < 3; i++) {
        const res = await fromIp(ctx, app.name, user.username, 'wrong-password', `203.0.113.${ip}`);
        expect(res.status).toBe(401);
      }
    }

    const res = await fromIp(ctx, app.name, user.username, user.password, '203.0.113.99');

    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});

describe('per-IP ceiling', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ ...LIMITS, loginMaxFailuresPerIp: 4 });
  });
  afterAll(async () => ctx.close());

  it('one IP gets LOGIN_MAX_FAILURES_PER_IP failures an hour over all usernames, other IPs go on', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    for (let i = 0; i < 4; i++) {
      expect((await fromIp(ctx, app.name, `nobody-${i}`, 'wrong-password', '192.0.2.1')).status).toBe(401);
    }

    expect((await fromIp(ctx, app.name, user.username, user.password, '192.0.2.1')).status).toBe(429);
    expect((await fromIp(ctx, app.name, user.username, user.password, '192.0.2.2')).status).toBe(200);
    const row = await AuditEntry.findOne({ where: { app: app.name, outcome: 'rate_limited' } });
    expect(row?.ip).toBe('192.0.2.1');
  });

  it('a request that is not a credential failure (400) does not count', async () => {
    const app = await createApplication(ctx.app);
    for (let i = 0; i < 6; i++) {
      const res = await fromIp(ctx, app.name, 'someone', '', '192.0.2.50');
      expect(res.status).toBe(400);
    }
    expect((await fromIp(ctx, app.name, 'someone', 'wrong-password', '192.0.2.50')).status).toBe(401);
  });
});

describe('when Redis is unreachable', () => {
  it('logins keep working, limited by the memory insurance limiter, with a logged warning', async () => {
    const logs = captureStream();
    const ctx = await createTestContext(
      { ...LIMITS, redisUrl: 'redis://127.0.0.1:1' },
      { logger: pino({ level: 'warn' }, logs.stream) },
    );
    try {
      const app = await createApplication(ctx.app);
      const user = await createUser(ctx.app, app.name);
      expect((await login(ctx.app, app.name, user.username, user.password)).status).toBe(200);
      for (let i = 0; i < 3; i++) await login(ctx.app, app.name, user.username, 'wrong-password');
      expect((await login(ctx.app, app.name, user.username, user.password)).status).toBe(429);
      expect(logs.text()).toContain('Redis unreachable');
    } finally {
      await ctx.close();
    }
  });
});

describe('with REDIS_URL', () => {
  it('keeps the counters in Redis, where every instance sees them', async () => {
    const ctx = await createTestContext({ ...LIMITS, redisUrl: REDIS_URL });
    const redis = new Redis(REDIS_URL);
    try {
      const app = await createApplication(ctx.app);
      await login(ctx.app, app.name, 'nobody', 'wrong-password');
      const keys = await redis.keys(`*:login:triple:*${app.name}*`);
      expect(keys).toHaveLength(1);
      expect(await redis.get(keys[0])).toBe('1');
    } finally {
      redis.disconnect();
      await ctx.close();
    }
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import Redis from 'ioredis';
import pino from 'pino';
import request from 'supertest';
import { bruteForceCases, fromIp, LIMITS, perIpCases } from '../helpers/brute-force-cases';
import { captureStream } from '../helpers/capture';
import { createTestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('brute-force protection (Redis store)', () => bruteForceCases({ redisUrl: REDIS_URL }));
describe('per-IP ceiling (Redis store)', () => perIpCases({ redisUrl: REDIS_URL }));

describe('with REDIS_URL', () => {
  it('keeps the counters in Redis, where every instance sees them', async () => {
    const ctx = await createTestContext({ ...LIMITS, redisUrl: REDIS_URL });
    const redis = new Redis(REDIS_URL);
    try {
      const app = await createApplication(ctx.app);
      await fromIp(ctx.app, app.name, 'nobody', 'wrong-password', '192.0.2.70');
      const keys = await redis.keys(`*:login:triple:failures:*${app.name}*`);
      expect(keys).toHaveLength(1);
      expect(await redis.get(keys[0])).toBe('1');
    } finally {
      redis.disconnect();
      await ctx.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of this test's own, which the test may stop and freeze (never the machine's). */
async function ownRedis(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => 50 });
  await probe.connect().catch(() => undefined);
  await probe.ping();
  probe.disconnect();
  return { url, process: child };
}

describe('when Redis fails', () => {
  it('unreachable: logins keep working, limited in memory, with a logged warning', async () => {
    const logs = captureStream();
    const ctx = await createTestContext(
      { ...LIMITS, redisUrl: 'redis://127.0.0.1:1' },
      { logger: pino({ level: 'warn' }, logs.stream) },
    );
    try {
      const app = await createApplication(ctx.app);
      const user = await createUser(ctx.app, app.name);
      expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.80')).status).toBe(200);
      for (let i = 0; i < 3; i++) await fromIp(ctx.app, app.name, user.username, 'wrong-password', '192.0.2.80');
      expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.80')).status).toBe(429);
      expect(logs.text()).toContain('Redis unreachable');
    } finally {
      await ctx.close();
    }
  });

  it('frozen (SIGSTOP): every login answers within a bounded wait, one warning, a metric; shared again once it answers', async () => {
    const redis = await ownRedis();
    const logs = captureStream();
    const ctx = await createTestContext(
      { ...LIMITS, redisUrl: redis.url },
      { logger: pino({ level: 'info' }, logs.stream) },
    );
    try {
      const app = await createApplication(ctx.app);
      const user = await createUser(ctx.app, app.name);
      const metric = async () =>
        /^jawth_rate_limit_store_fallback (\d)$/m.exec((await request(ctx.app).get('/metrics')).text)?.[1];
      expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.90')).status).toBe(200);
      expect(await metric()).toBe('0');

      redis.process.kill('SIGSTOP');
      let longest = 0;
      for (let i = 0; i < 8; i++) {
        const started = Date.now();
        expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.90')).status).toBe(200);
        longest = Math.max(longest, Date.now() - started);
      }
      // A bound, not a benchmark: without a command timeout each login waited for the whole stall.
      expect(longest).toBeLessThan(3000);
      process.stdout.write(`Redis frozen: longest login wait ${longest} ms over 8 logins\n`);
      for (let i = 0; i < 3; i++) await fromIp(ctx.app, app.name, user.username, 'wrong-password', '192.0.2.91');
      expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.91')).status).toBe(429);
      expect(await metric()).toBe('1');
      expect(logs.text().match(/Redis unreachable/g)).toHaveLength(1);

      redis.process.kill('SIGCONT');
      // One request tries Redis again once REDIS_RETRY_MS (2 s) have passed on the limiter's clock.
      ctx.clock.advance(3);
      expect((await fromIp(ctx.app, app.name, user.username, user.password, '192.0.2.92')).status).toBe(200);
      expect(await metric()).toBe('0');
      expect(logs.text()).toContain('Redis reachable again');
    } finally {
      redis.process.kill('SIGCONT');
      redis.process.kill('SIGKILL');
      await ctx.close();
    }
  });
});

import crypto from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { instanceDeps } from '../../src/build-deps';
import { BackgroundTasks } from '../../src/infra/background';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, uniqueName } from '../helpers/factories';
import { startSmtp, type TestSmtp } from '../helpers/smtp';

// The recovery-mail quota lives in the shared rate-limit store: two instances on one Redis
// together send a user 3 mails an hour, not 3 each.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let ctx: TestContext;
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  ctx = await createTestContext({ smtpUrl: smtp.url, redisUrl: REDIS_URL, loginMaxFailuresPerIp: 1_000_000 });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

it('two instances on one Redis send one user 3 recovery mails in all', async () => {
  const failed: unknown[] = [];
  const background = new BackgroundTasks({ error: (...args: unknown[]) => void failed.push(args) } as never);
  const keyPrefix = `jawth-test-recovery-${crypto.randomBytes(6).toString('hex')}`;
  const instances = [0, 1].map(() =>
    instanceDeps({ ...ctx.deps, logger: pino({ level: 'silent' }) }, { limiterOptions: { keyPrefix }, background }),
  );
  const limiters = instances.map((i) => i.limiter);
  try {
    await Promise.all(limiters.map((l) => l.ready()));
    const [a, b] = instances.map(createApp);
    const { name } = await createApplication(a, { recovery: 'on', public_url: 'https://shop.example.com/reset' });
    const address = `${uniqueName('q')}@example.com`;
    await createUser(a, name, { email: address });

    for (let i = 0; i < 8; i++) {
      const res = await request(i % 2 ? b : a)
        .post(`/${name}/recover`)
        .send({ email: address });
      expect(res.status).toBe(202);
      await background.idle();
    }

    expect(smtp.received().filter((m) => JSON.stringify(m.to).includes(address))).toHaveLength(3);
    expect(failed).toEqual([]);
    expect(limiters.map((l) => l.store())).toEqual(['redis', 'redis']);
  } finally {
    await Promise.all(limiters.map((l) => l.close()));
  }
});

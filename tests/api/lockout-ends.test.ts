import type { Config } from '../../src/config/config';
import { fromIp, LIMITS, outcomes } from '../helpers/brute-force-cases';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';

// A lockout ends when LOGIN_LOCKOUT has passed on the limiter's clock (docs/api.md, Brute-force
// protection): the fake clock of the test context moves it. Counters kept in Redis expire by
// Redis's own clock, which no fake clock moves: with Redis away, the in-memory stand-in is the
// one that follows it, so both the memory store and that fall-back are shown here.

/** Three failures lock (app, username, IP) for 900 s (LIMITS); then the right password is refused until it ends. */
function lockoutEnds(storeConfig: Partial<Config>, store: 'memory' | 'fallback') {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ ...LIMITS, ...storeConfig });
  });
  afterAll(async () => ctx.close());

  it('when the clock passes LOGIN_LOCKOUT, then the right password logs in, and the count starts again', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const attempt = (password: string) => fromIp(ctx.app, app.name, user.username, password, '192.0.2.30');
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).status).toBe(401);

    const locked = await attempt(user.password);
    ctx.clock.advance(899);
    const stillLocked = await attempt(user.password);
    ctx.clock.advance(1);
    const after = await attempt(user.password);
    const wrongAgain = await attempt('wrong-password');

    expect(ctx.limiter.store()).toBe(store);
    expect([locked.status, locked.body.error, locked.headers['retry-after']]).toEqual([429, 'rate_limited', '900']);
    expect([stillLocked.status, stillLocked.headers['retry-after']]).toEqual([429, '1']);
    expect([after.status, after.body.username]).toEqual([200, user.username]);
    // The success reset the triple's failures: one more wrong password is a 401, not a lockout.
    expect(wrongAgain.status).toBe(401);
    expect(await outcomes(ctx.models, app.name, user.username)).toEqual([
      'failure',
      'failure',
      'failure',
      'rate_limited',
      'rate_limited', // 899 s later: another summary window
      'success',
      'failure',
    ]);
    const stored = await ctx.models.User.findOne({ where: { username: user.username } });
    expect(stored?.lastLoginAt?.getTime()).toBe(ctx.clock.now().getTime());
  });

  it('when the clock has not yet passed LOGIN_LOCKOUT, then every attempt is refused with the time left', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const attempt = (password: string) => fromIp(ctx.app, app.name, user.username, password, '192.0.2.31');
    for (let i = 0; i < 3; i++) await attempt('wrong-password');

    const answers = [];
    for (const step of [0, 300, 300, 299]) {
      ctx.clock.advance(step);
      answers.push(await attempt(user.password));
    }

    expect(answers.map((a) => [a.status, a.headers['retry-after']])).toEqual([
      [429, '900'],
      [429, '600'],
      [429, '300'],
      [429, '1'],
    ]);
    expect((await ctx.models.User.findOne({ where: { username: user.username } }))?.lastLoginAt).toBeNull();
  });
}

describe('a lockout on the memory store', () => lockoutEnds({}, 'memory'));
// Nothing listens on port 1: every Redis command fails at once and the counters fall back to memory.
describe('a lockout on the in-memory fall-back while Redis is away', () =>
  lockoutEnds({ redisUrl: 'redis://127.0.0.1:1' }, 'fallback'));

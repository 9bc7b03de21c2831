import request from 'supertest';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

// every path that accepts a refresh token checks spent and revoked, and a
// revocation is final once it has answered, even for renewals in flight at that moment.
let ctx: TestContext;
beforeAll(async () => {
  // Renewals refused by a revocation count as failures of the one test IP: no ceiling here.
  ctx = await createTestContext({ refreshReuseGrace: 10, loginMaxFailures: 1000, loginMaxFailuresPerIp: 1_000_000 });
});
afterAll(async () => ctx.close());

const rotate = (appName: string, refresh_token: string) =>
  request(ctx.app).post(`/${appName}/refresh`).send({ refresh_token });
const access = (namespace: string, refresh_token: string) =>
  request(ctx.app).post('/token/access').send({ namespace, refresh_token });
const liveSessions = async (uid: string) => {
  const user = await ctx.models.User.findOne({ where: { uid } });
  return ctx.models.Session.count({ where: { userId: user?.id, revokedAt: null } });
};

async function loggedIn() {
  const app = await createApplication(ctx.app);
  const user = await createUser(ctx.app, app.name);
  const res = await login(ctx.app, app.name, user.username, user.password);
  expect(res.status).toBe(200);
  return { app, user, refresh: res.body.refresh_token as string };
}

describe('a spent refresh token at POST /token/access', () => {
  it('still works within the grace window, then revokes its family with 401 refresh_token_reused', async () => {
    const { app, user, refresh } = await loggedIn();
    const next = await rotate(app.name, refresh);
    expect(next.status).toBe(200);

    expect((await access(app.name, refresh)).status).toBe(200);
    ctx.clock.advance(11);
    const reused = await access(app.name, refresh);

    expect(reused.status).toBe(401);
    expect(reused.body.error).toBe('refresh_token_reused');
    expect(await liveSessions(user.uid)).toBe(0);
    expect((await access(app.name, next.body.refresh_token)).status).toBe(401);
    expect((await rotate(app.name, next.body.refresh_token)).status).toBe(401);
  });

  it('a token spent by /:app/refresh and replayed at either path after the grace ends the family there too', async () => {
    const { app, user, refresh } = await loggedIn();
    const next = await rotate(app.name, refresh);
    ctx.clock.advance(11);

    const reused = await rotate(app.name, refresh);

    expect(reused.body.error).toBe('refresh_token_reused');
    expect(await liveSessions(user.uid)).toBe(0);
    expect((await access(app.name, next.body.refresh_token)).body.error).toBe('invalid_token');
  });
});

describe('a revocation racing renewals in flight', () => {
  const revocations: [string, (appName: string, username: string) => Promise<request.Response>][] = [
    ['log out everywhere', (a, u) => admin(ctx.app, 'delete', `/${a}/users/${u}/sessions`)],
    ['a new password', (a, u) => admin(ctx.app, 'patch', `/${a}/users/${u}`, { password: 'another-horse-battery-9' })],
    ['disabling the user', (a, u) => admin(ctx.app, 'patch', `/${a}/users/${u}`, { disabled: true })],
    ['deleting the user', (a, u) => admin(ctx.app, 'delete', `/${a}/users/${u}`)],
  ];

  it.each(revocations)(
    '%s leaves none of 15 concurrent renewals alive, over 12 rounds',
    async (_name, revoke) => {
      let survivors = 0;
      let renewed = 0;
      for (let round = 0; round < 12; round++) {
        const app = await createApplication(ctx.app);
        const user = await createUser(ctx.app, app.name);
        const logins = await Promise.all(
          Array.from({ length: 15 }, () => login(ctx.app, app.name, user.username, user.password)),
        );
        const tokens = logins.map((res) => res.body.refresh_token as string);

        // The revocation leaves 0 to 22 ms after the renewals, so that rounds catch them at every step.
        const inFlight = tokens.map((token) => rotate(app.name, token).then((res) => res));
        await new Promise((resolve) => setTimeout(resolve, 2 * round));
        const revoked = await revoke(app.name, user.username);
        const renewals = await Promise.all(inFlight);

        expect([200, 204]).toContain(revoked.status);
        for (const res of renewals) expect([200, 401]).toContain(res.status);
        const issued = renewals.filter((res) => res.status === 200).map((res) => res.body.refresh_token as string);
        renewed += issued.length;
        const after = await Promise.all(issued.map((token) => access(app.name, token)));
        survivors += after.filter((res) => res.status === 200).length;
        const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
        if (row) expect(await ctx.models.Session.count({ where: { userId: row.id, revokedAt: null } })).toBe(0);
      }
      expect(survivors).toBe(0);
      process.stdout.write(`${_name}: ${renewed} renewals answered 200 over 12 rounds, ${survivors} survived\n`);
    },
    120_000,
  );

  it('15 concurrent renewals of one token: one spends it, those within the grace get successors of its family', async () => {
    const { app, user, refresh } = await loggedIn();

    const answers = await Promise.all(Array.from({ length: 15 }, () => rotate(app.name, refresh)));

    expect(answers.map((res) => res.status)).toEqual(Array(15).fill(200));
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    const sessions = await ctx.models.Session.findAll({ where: { userId: row?.id } });
    expect(new Set(sessions.map((s) => s.familyId)).size).toBe(1);
    expect(sessions.filter((s) => s.usedAt !== null)).toHaveLength(1);
    expect(sessions).toHaveLength(16);
  });
});

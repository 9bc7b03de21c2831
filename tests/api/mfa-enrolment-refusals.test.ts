import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { signToken } from '../../src/crypto/jwt';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login, uniqueName } from '../helpers/factories';

// Enrolment needs no password: until its bearer is verified, it must not tell users apart.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ loginMaxFailures: 3, loginMaxFailuresPerIp: 1_000_000, trustProxy: true });
});
afterAll(async () => ctx.close());

const enrol = (app: string, username: string, token: string, ip = '198.51.100.1') =>
  request(ctx.app)
    .post(`/${app}/${encodeURIComponent(username)}/mfa/enrol`)
    .set('X-Forwarded-For', ip)
    .set('Authorization', `Bearer ${token}`);
const confirm = (app: string, username: string, token: string, ip = '198.51.100.1') =>
  request(ctx.app)
    .post(`/${app}/${encodeURIComponent(username)}/mfa/confirm`)
    .set('X-Forwarded-For', ip)
    .set('Authorization', `Bearer ${token}`)
    .send({ code: '123456' });
const factors = async () =>
  Number(
    (await ctx.db.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM second_factors', { type: QueryTypes.SELECT }))[0].n,
  );

describe('POST /:app/:username/mfa/enrol and /confirm with a bearer that is not valid', () => {
  it('answer the same 401, byte for byte, for an existing, a disabled and an unknown user, in any application', async () => {
    const app = await createApplication(ctx.app, { mfa: 'optional' });
    const other = await createApplication(ctx.app, { mfa: 'optional' });
    const alice = await createUser(ctx.app, app.name);
    const banned = await createUser(ctx.app, app.name);
    await admin(ctx.app, 'patch', `/applications/${app.name}/users/${banned.username}`, { disabled: true });
    const elsewhere = await createUser(ctx.app, other.name);
    const otherToken = (await login(ctx.app, other.name, elsewhere.username, elsewhere.password)).body.token as string;
    const now = Math.floor(Date.now() / 1000);
    const forged = signToken({ app: app.name, username: alice.username, iat: now, exp: now + 60 }, 'x'.repeat(40));
    const bearers = {
      'a random enrolment token': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'a JWT of another application': otherToken,
      'a JWT signed with another key': forged,
      'no JWT at all': 'not.a.jwt',
    };
    const before = await factors();

    const answers: string[] = [];
    let ip = 0;
    for (const [username, appName] of [
      [alice.username, app.name],
      [banned.username, app.name],
      [uniqueName('nobody'), app.name],
      [alice.username, uniqueName('noapp')],
    ]) {
      for (const token of Object.values(bearers)) {
        for (const send of [enrol, confirm]) {
          const res = await send(appName, username, token, `198.51.100.${++ip}`);
          answers.push(`${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }

    expect(new Set(answers)).toEqual(
      new Set(['401 {"error":"unauthorized","message":"The token is not valid for this user."}']),
    );
    expect(await factors()).toBe(before);
  });

  it("answer the same for a user's own valid enrolment token used on another username", async () => {
    const app = await createApplication(ctx.app, { mfa: 'required' });
    const alice = await createUser(ctx.app, app.name);
    const bob = await createUser(ctx.app, app.name);
    const challenge = await login(ctx.app, app.name, alice.username, alice.password);
    const enrolToken = challenge.body.mfa_token as string;
    expect(enrolToken).toEqual(expect.any(String));

    const onBob = await enrol(app.name, bob.username, enrolToken);
    const onNobody = await enrol(app.name, uniqueName('nobody'), enrolToken);

    expect(onBob.body).toEqual(onNobody.body);
    expect(onBob.status).toBe(401);
    expect((await enrol(app.name, alice.username, enrolToken)).status).toBe(200);
  });

  it('are limited like logins: after LOGIN_MAX_FAILURES wrong bearers from one IP, 429 even with a good one', async () => {
    const app = await createApplication(ctx.app, { mfa: 'optional' });
    const alice = await createUser(ctx.app, app.name);
    const good = (await login(ctx.app, app.name, alice.username, alice.password)).body.token as string;
    for (let i = 0; i < 3; i++) {
      expect((await enrol(app.name, alice.username, `wrong-${i}`, '203.0.113.9')).status).toBe(401);
    }

    const refused = await enrol(app.name, alice.username, good, '203.0.113.9');

    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toEqual(expect.any(String));
    const before = await factors();
    expect((await enrol(app.name, alice.username, good, '203.0.113.10')).status).toBe(200);
    expect(await factors()).toBe(before + 1);
  });
});

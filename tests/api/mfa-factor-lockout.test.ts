import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { totpCode } from '../../src/crypto/totp';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

// Wrong second-factor codes are counted with the factor itself, whatever address they come from:
// an attacker who has the password and rotates addresses gets ten guesses, not one a month in ten.
let ctx: TestContext;
const LOCKOUT = 900;
beforeAll(async () => {
  // The per-(user, IP) and per-user limits out of the way: only the factor's own count acts.
  ctx = await createTestContext({
    loginMaxFailures: 1000,
    loginMaxFailuresPerIp: 1_000_000,
    loginLockout: LOCKOUT,
    trustProxy: true,
    webhookAllowPrivate: true,
  });
});
afterAll(async () => ctx.close());

const STEP = 30;
let ipCounter = 0;
const nextIp = () => `203.0.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;
const complete = (app: string, mfaToken: string, code: string) =>
  request(ctx.app).post(`/${app}/login/mfa`).set('X-Forwarded-For', nextIp()).send({ mfa_token: mfaToken, code });
const rightCode = (secret: string) => totpCode(secret, ctx.clock.now());
/** A six-digit code that is not valid in the window around now. */
function wrongCode(secret: string): string {
  const valid = [-1, 0, 1].map((k) => totpCode(secret, new Date(ctx.clock.now().getTime() + k * STEP * 1000)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!valid.includes(code)) return code;
  }
}

async function factorRow(username: string) {
  const rows = await ctx.db.query<{ failed_codes: unknown; locked_until: unknown }>(
    `SELECT f.failed_codes, f.locked_until FROM second_factors f JOIN users u ON u.id = f.user_id WHERE u.username = $1`,
    { bind: [username], type: QueryTypes.SELECT },
  );
  return {
    failed: Number(rows[0].failed_codes),
    lockedUntil: rows[0].locked_until === null ? null : Number(rows[0].locked_until),
  };
}

/** A user with a confirmed factor, a webhook on user.locked_out, and an mfa_token from a right password. */
async function challenged() {
  const app = await createApplication(ctx.app, { mfa: 'optional' });
  const user = await createUser(ctx.app, app.name);
  const hook = await admin(ctx.app, 'post', `/applications/${app.name}/webhooks`, {
    url: 'http://127.0.0.1:9/hooks',
    events: ['user.locked_out'],
  });
  expect(hook.status).toBe(201);
  const first = (await login(ctx.app, app.name, user.username, user.password)).body.token as string;
  const auth = { Authorization: `Bearer ${first}` };
  const enrolled = await request(ctx.app).post(`/${app.name}/${user.username}/mfa/enrol`).set(auth);
  const secret = enrolled.body.secret as string;
  const confirmed = await request(ctx.app)
    .post(`/${app.name}/${user.username}/mfa/confirm`)
    .set(auth)
    .send({ code: rightCode(secret) });
  expect(confirmed.status).toBe(200);
  ctx.clock.advance(STEP);
  const challenge = await login(ctx.app, app.name, user.username, user.password);
  expect(challenge.body.mfa_required).toBe(true);
  return { app: app.name, user, secret, mfaToken: challenge.body.mfa_token as string, hookId: hook.body.id as string };
}

const lockedOutEvents = async (hookId: string) =>
  (
    await ctx.db.query<{ payload: string }>(
      `SELECT payload FROM webhook_deliveries WHERE webhook_id = $1 AND type = 'user.locked_out'`,
      { bind: [hookId], type: QueryTypes.SELECT },
    )
  ).map((row) => JSON.parse(row.payload) as { data: Record<string, unknown> });

describe('wrong second-factor codes counted with the factor', () => {
  it('lock the factor after 10 wrong codes from 10 addresses: even the right code then gets 429 until LOGIN_LOCKOUT has passed', async () => {
    const { app, user, secret, mfaToken, hookId } = await challenged();
    for (let i = 0; i < 10; i++) {
      expect((await complete(app, mfaToken, wrongCode(secret))).status).toBe(401);
    }

    const refused = await complete(app, mfaToken, rightCode(secret));

    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(LOCKOUT - 5);
    const row = await factorRow(user.username);
    expect(row.failed).toBe(10);
    expect(row.lockedUntil).toBeGreaterThan(ctx.clock.now().getTime());
    const events = await lockedOutEvents(hookId);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ uid: user.uid, username: user.username, second_factor: true });

    ctx.clock.advance(LOCKOUT + 1);
    const fresh = await login(ctx.app, app, user.username, user.password);
    const after = await complete(app, fresh.body.mfa_token as string, rightCode(secret));
    expect(after.status).toBe(200);
    expect(after.body.token).toEqual(expect.any(String));
    expect(await factorRow(user.username)).toEqual({ failed: 0, lockedUntil: null });
  });

  it('start again from zero after a right code: 9 wrong, a right one, then 9 wrong do not lock', async () => {
    const { app, user, secret, mfaToken } = await challenged();
    for (let i = 0; i < 9; i++) expect((await complete(app, mfaToken, wrongCode(secret))).status).toBe(401);
    expect((await complete(app, mfaToken, rightCode(secret))).status).toBe(200);
    expect((await factorRow(user.username)).failed).toBe(0);

    ctx.clock.advance(STEP);
    const again = (await login(ctx.app, app, user.username, user.password)).body.mfa_token as string;
    for (let i = 0; i < 9; i++) expect((await complete(app, again, wrongCode(secret))).status).toBe(401);

    expect((await complete(app, again, rightCode(secret))).status).toBe(200);
  });

  it('hold under a burst: of 50 wrong codes sent at once from 50 addresses, 10 are checked and the rest get 429', async () => {
    const { app, user, secret, mfaToken, hookId } = await challenged();
    const wrong = wrongCode(secret);

    const answers = await Promise.all(Array.from({ length: 50 }, () => complete(app, mfaToken, wrong)));

    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    expect((await complete(app, mfaToken, rightCode(secret))).status).toBe(429);
    expect((await factorRow(user.username)).failed).toBe(10);
    expect(await lockedOutEvents(hookId)).toHaveLength(1);
  });
});

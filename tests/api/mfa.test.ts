import pino from 'pino';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { totpCode } from '../../src/crypto/totp';
import { captureStream } from '../helpers/capture';
import { decodeClaimsForTest } from '../helpers/claims';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

// The second factor (TOTP) of an application's users: enrolment, login with a code, recovery codes.
let ctx: TestContext;
const logs = captureStream();
beforeAll(async () => {
  const logger = pino({ level: 'debug' }, logs.stream);
  ctx = await createTestContext({ loginMaxFailures: 1000, loginMaxFailuresPerIp: 1_000_000 }, { logger });
});
afterAll(async () => ctx.close());

type Person = { username: string; password: string; uid: string };
const STEP = 30;
const code = (secret: string) => totpCode(secret, ctx.clock.now());
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const enrol = (app: string, username: string, token: string) =>
  request(ctx.app).post(`/${app}/${username}/mfa/enrol`).set(bearer(token));
const confirm = (app: string, username: string, token: string, first: string) =>
  request(ctx.app).post(`/${app}/${username}/mfa/confirm`).set(bearer(token)).send({ code: first });
const complete = (app: string, mfa_token: string, given: string) =>
  request(ctx.app).post(`/${app}/login/mfa`).send({ mfa_token, code: given });
const rows = (sql: string, bind: unknown[] = []) =>
  ctx.db.query<Record<string, unknown>>(sql, { bind, type: QueryTypes.SELECT });
const userId = async (uid: string) => (await ctx.models.User.findOne({ where: { uid } }))?.id as number;

/** An application with `mfa`, a user who enrolled and confirmed; the clock is then one step on. */
async function enrolledUser(mfa: 'optional' | 'required' = 'optional') {
  const app = await createApplication(ctx.app, { mfa: 'optional' });
  const user: Person = await createUser(ctx.app, app.name);
  const first = await login(ctx.app, app.name, user.username, user.password);
  const enrolment = await enrol(app.name, user.username, first.body.token as string);
  expect(enrolment.status).toBe(200);
  const secret = enrolment.body.secret as string;
  const confirmed = await confirm(app.name, user.username, first.body.token as string, code(secret));
  expect(confirmed.status).toBe(200);
  if (mfa !== 'optional') await admin(ctx.app, 'patch', `/applications/${app.name}`, { mfa });
  ctx.clock.advance(STEP);
  return { app, user, secret, recovery: confirmed.body.recovery_codes as string[] };
}

async function challenge(app: string, user: Person): Promise<string> {
  const res = await login(ctx.app, app, user.username, user.password);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ mfa_required: true, mfa_token: expect.any(String) });
  return res.body.mfa_token as string;
}

describe('enrolment: POST /:app/:username/mfa/enrol and /confirm', () => {
  it('answers the secret, its otpauth URI and a QR code, and stores the secret sealed only', async () => {
    const app = await createApplication(ctx.app, { mfa: 'optional' });
    const user = await createUser(ctx.app, app.name);
    const { body } = await login(ctx.app, app.name, user.username, user.password);

    const res = await enrol(app.name, user.username, body.token as string);

    expect(res.status).toBe(200);
    expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(res.body.otpauth_uri as string);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('issuer')).toBe(app.name);
    expect(uri.searchParams.get('secret')).toBe(res.body.secret);
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(res.body.qr_svg).toMatch(/^<svg[^>]*>/);
    const [factor] = await rows('SELECT secret, confirmed_at FROM second_factors WHERE user_id = $1', [
      await userId(user.uid),
    ]);
    expect(factor.confirmed_at).toBeNull();
    expect(String(factor.secret)).toMatch(/^v1\./);
    expect(String(factor.secret)).not.toContain(res.body.secret);
  });

  it('changes nothing at login until a first code confirms it', async () => {
    const app = await createApplication(ctx.app, { mfa: 'optional' });
    const user = await createUser(ctx.app, app.name);
    const first = await login(ctx.app, app.name, user.username, user.password);
    await enrol(app.name, user.username, first.body.token as string);

    const again = await login(ctx.app, app.name, user.username, user.password);

    expect(again.status).toBe(200);
    expect(again.body.token).toEqual(expect.any(String));
  });

  it('answers ten recovery codes on confirmation, stored as hashes only', async () => {
    const { user, recovery } = await enrolledUser();

    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    const stored = await rows(
      'SELECT r.code_hash FROM recovery_codes r JOIN second_factors f ON f.id = r.factor_id WHERE f.user_id = $1',
      [await userId(user.uid)],
    );
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) expect(recovery.map((c) => c.replace(/-/g, ''))).not.toContain(code_hash);
  });

  it('refuses a wrong first code, a token of another user, and an application with mfa off', async () => {
    const app = await createApplication(ctx.app, { mfa: 'optional' });
    const alice = await createUser(ctx.app, app.name);
    const bob = await createUser(ctx.app, app.name);
    const token = (await login(ctx.app, app.name, alice.username, alice.password)).body.token as string;
    await enrol(app.name, alice.username, token);

    expect((await confirm(app.name, alice.username, token, '000000')).status).toBe(401);
    expect((await enrol(app.name, bob.username, token)).status).toBe(401);
    expect((await request(ctx.app).post(`/${app.name}/${alice.username}/mfa/enrol`)).status).toBe(401);
    const off = await createApplication(ctx.app);
    const carol = await createUser(ctx.app, off.name);
    const carolToken = (await login(ctx.app, off.name, carol.username, carol.password)).body.token as string;
    const refused = await enrol(off.name, carol.username, carolToken);
    expect(refused.status).toBe(403);
  });

  it('answers concurrent enrolments with a secret or 409, and keeps one pending factor', async () => {
    const app = await createApplication(ctx.app, { mfa: 'optional' });
    const user = await createUser(ctx.app, app.name);
    const token = (await login(ctx.app, app.name, user.username, user.password)).body.token as string;

    const answers = await Promise.all(Array.from({ length: 10 }, () => enrol(app.name, user.username, token)));

    expect(answers.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(answers.some((r) => r.status === 200)).toBe(true);
    const factors = await rows('SELECT id FROM second_factors WHERE user_id = $1', [await userId(user.uid)]);
    expect(factors).toHaveLength(1);
  });

  it('refuses a second enrolment while a factor is active', async () => {
    const { app, user, secret } = await enrolledUser();
    const mfaToken = await challenge(app.name, user);
    const { body } = await complete(app.name, mfaToken, code(secret));

    expect((await enrol(app.name, user.username, body.token as string)).status).toBe(409);
  });
});

describe('login with a second factor: POST /:app/login then /:app/login/mfa', () => {
  it('answers mfa_required and issues nothing, then the normal login answer with amr for a code', async () => {
    const { app, user, secret } = await enrolledUser();
    const sessionsBefore = await rows('SELECT id FROM sessions WHERE user_id = $1', [await userId(user.uid)]);

    const mfaToken = await challenge(app.name, user);
    expect(await rows('SELECT id FROM sessions WHERE user_id = $1', [await userId(user.uid)])).toHaveLength(
      sessionsBefore.length,
    );
    const res = await complete(app.name, mfaToken, code(secret));

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', username: user.username, uid: user.uid });
    expect(decodeClaimsForTest(res.body.token as string).amr).toEqual(['pwd', 'otp']);
    const rotated = await request(ctx.app).post(`/${app.name}/refresh`).send({ refresh_token: res.body.refresh_token });
    expect(decodeClaimsForTest(rotated.body.token as string).amr).toEqual(['pwd', 'otp']);
    const access = await request(ctx.app)
      .post('/token/access')
      .send({ namespace: app.name, refresh_token: rotated.body.refresh_token });
    expect(decodeClaimsForTest(access.body.token as string).amr).toEqual(['pwd', 'otp']);
    expect(
      await rows(`SELECT id FROM one_use_tokens WHERE purpose IN ('mfa_login', 'mfa_enrol') AND user_id = $1`, [
        await userId(user.uid),
      ]),
    ).toHaveLength(0);
  });

  it('accepts a code of the step before or after, not two steps away', async () => {
    const { app, user, secret } = await enrolledUser();
    const early = totpCode(secret, new Date(ctx.clock.now().getTime() + STEP * 1000));
    expect((await complete(app.name, await challenge(app.name, user), early)).status).toBe(200);

    ctx.clock.advance(4 * STEP);
    const stale = totpCode(secret, new Date(ctx.clock.now().getTime() - 2 * STEP * 1000));
    expect((await complete(app.name, await challenge(app.name, user), stale)).status).toBe(401);
  });

  it('refuses a replayed code with 401 invalid_code', async () => {
    const { app, user, secret } = await enrolledUser();
    const used = code(secret);
    expect((await complete(app.name, await challenge(app.name, user), used)).status).toBe(200);

    const replay = await complete(app.name, await challenge(app.name, user), used);

    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_code');
  });

  it('accepts one of 50 concurrent completions with the same code', async () => {
    const { app, user, secret } = await enrolledUser();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => challenge(app.name, user)));
    const given = code(secret);

    const answers = await Promise.all(tokens.map((token) => complete(app.name, token, given)));

    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    // The rest are refused: checked and spent already (401), or past the factor's own count (429).
    expect(answers.filter((r) => r.status === 401 || r.status === 429)).toHaveLength(49);
  });

  it('accepts a recovery code once, and one of 50 concurrent uses of it', async () => {
    const { app, user, recovery } = await enrolledUser();
    const first = await complete(app.name, await challenge(app.name, user), recovery[0].toUpperCase());
    expect(first.status).toBe(200);
    expect(decodeClaimsForTest(first.body.token as string).amr).toEqual(['pwd', 'otp']);
    expect((await complete(app.name, await challenge(app.name, user), recovery[0])).status).toBe(401);

    const tokens = await Promise.all(Array.from({ length: 50 }, () => challenge(app.name, user)));
    const answers = await Promise.all(tokens.map((token) => complete(app.name, token, recovery[1])));

    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    const factor = await rows('SELECT id FROM second_factors WHERE user_id = $1', [await userId(user.uid)]);
    expect(await rows('SELECT id FROM recovery_codes WHERE factor_id = $1', [factor[0].id])).toHaveLength(8);
  });

  it('completes an mfa_token once: of 50 concurrent completions with different codes, one', async () => {
    const { app, user, secret, recovery } = await enrolledUser();
    const mfaToken = await challenge(app.name, user);
    const codes = [...recovery, ...Array.from({ length: 40 }, () => code(secret))];

    const answers = await Promise.all(codes.map((given) => complete(app.name, mfaToken, given)));

    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    // The rest are refused: checked and spent already (401), or past the factor's own count (429).
    expect(answers.filter((r) => r.status === 401 || r.status === 429)).toHaveLength(49);
  });

  it('lets an mfa_token expire after 5 minutes', async () => {
    const { app, user, secret } = await enrolledUser();
    const mfaToken = await challenge(app.name, user);
    ctx.clock.advance(301);

    const res = await complete(app.name, mfaToken, code(secret));

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
  });

  it('refuses an mfa_token at another application, and an unknown one', async () => {
    const { app, user, secret } = await enrolledUser();
    const other = await createApplication(ctx.app, { mfa: 'optional' });
    const mfaToken = await challenge(app.name, user);

    expect((await complete(other.name, mfaToken, code(secret))).status).toBe(401);
    expect((await complete(app.name, 'no-such-token', code(secret))).status).toBe(401);
    expect((await complete(app.name, mfaToken, code(secret))).status).toBe(200);
  });

  it.each([
    ['a new password', (path: string) => admin(ctx.app, 'patch', path, { password: 'another-Long-passw0rd' })],
    ['a revocation of the sessions', (path: string) => admin(ctx.app, 'delete', `${path}/sessions`)],
  ])('ends a pending mfa_token with %s, as it ends login tokens', async (_what, revoke) => {
    const { app, user, secret } = await enrolledUser();
    const mfaToken = await challenge(app.name, user);
    ctx.clock.advance(1);
    expect((await revoke(`/${app.name}/users/${user.username}`)).status).toBeLessThan(300);
    const sessionsBefore = await rows('SELECT id FROM sessions WHERE user_id = $1', [await userId(user.uid)]);

    const res = await complete(app.name, mfaToken, code(secret));

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
    expect(await rows('SELECT id FROM sessions WHERE user_id = $1', [await userId(user.uid)])).toEqual(sessionsBefore);
  });

  it('still asks a disabled application user nothing: the password is refused first', async () => {
    const { app, user } = await enrolledUser();
    await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, { disabled: true });

    expect((await login(ctx.app, app.name, user.username, user.password)).status).toBe(401);
  });
});

describe('POST /token/refresh with a second factor', () => {
  it('answers mfa_required, then /:app/login/mfa answers {token}: a refresh token with amr', async () => {
    const { app, user, secret } = await enrolledUser();
    const asked = await request(ctx.app)
      .post('/token/refresh/1h')
      .send({ namespace: app.name, username: user.username, password: user.password });
    expect(asked.status).toBe(200);
    expect(asked.body).toEqual({ mfa_required: true, mfa_token: expect.any(String) });

    const res = await complete(app.name, asked.body.mfa_token as string, code(secret));

    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['token']);
    const claims = decodeClaimsForTest(res.body.token as string);
    expect(claims.typ).toBe('refresh');
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    const access = await request(ctx.app)
      .post('/token/access')
      .send({ namespace: app.name, refresh_token: res.body.token });
    expect(decodeClaimsForTest(access.body.token as string).amr).toEqual(['pwd', 'otp']);
  });
});

describe('an application with mfa required', () => {
  it('makes a user without a factor enrol with a token that can only enrol, then log in with a code', async () => {
    const app = await createApplication(ctx.app, { mfa: 'required' });
    const user = await createUser(ctx.app, app.name);

    const first = await login(ctx.app, app.name, user.username, user.password);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ mfa_enrolment_required: true, mfa_token: expect.any(String) });
    const enrolToken = first.body.mfa_token as string;
    expect((await complete(app.name, enrolToken, '123456')).status).toBe(401);
    const changed = await request(ctx.app)
      .post(`/${app.name}/${user.username}/change_password`)
      .set(bearer(enrolToken))
      .send({ password: 'another-good-password-9', repeated_password: 'another-good-password-9' });
    expect(changed.status).toBe(401);

    const enrolment = await enrol(app.name, user.username, enrolToken);
    expect(enrolment.status).toBe(200);
    const confirmed = await confirm(app.name, user.username, enrolToken, code(enrolment.body.secret as string));
    expect(confirmed.status).toBe(200);
    expect((await enrol(app.name, user.username, enrolToken)).status).toBe(401);

    ctx.clock.advance(STEP);
    const mfaToken = await challenge(app.name, user);
    const done = await complete(app.name, mfaToken, code(enrolment.body.secret as string));
    expect(done.status).toBe(200);
    expect(decodeClaimsForTest(done.body.token as string).amr).toEqual(['pwd', 'otp']);
  });
});

describe('applications with mfa off', () => {
  it('log in with a password alone, even for a user who enrolled while it was optional', async () => {
    const { app, user } = await enrolledUser();
    const patched = await admin(ctx.app, 'patch', `/applications/${app.name}`, { mfa: 'off' });
    expect(patched.body.mfa).toBe('off');

    const res = await login(ctx.app, app.name, user.username, user.password);

    expect(res.status).toBe(200);
    expect(decodeClaimsForTest(res.body.token as string).amr).toBeUndefined();
  });

  it('are created with mfa off', async () => {
    const app = await createApplication(ctx.app);
    expect((await admin(ctx.app, 'get', `/applications/${app.name}`)).body.mfa).toBe('off');
  });
});

describe('DELETE /:app/users/:username/mfa', () => {
  it("removes the user's factor and recovery codes, audited", async () => {
    const { app, user } = await enrolledUser();

    const res = await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/mfa`);

    expect(res.status).toBe(204);
    expect(await rows('SELECT id FROM second_factors WHERE user_id = $1', [await userId(user.uid)])).toHaveLength(0);
    const entry = await ctx.models.AuditEntry.findOne({ where: { action: 'user.remove_mfa', app: app.name } });
    expect(entry?.outcome).toBe('success');
    expect((await login(ctx.app, app.name, user.username, user.password)).body.token).toEqual(expect.any(String));
    expect((await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/mfa`)).status).toBe(404);
  });
});

describe('secrets stay out of the logs and the audit log', () => {
  it('never writes a TOTP secret, a code or a recovery code', async () => {
    const { app, user, secret, recovery } = await enrolledUser();
    const given = code(secret);
    await complete(app.name, await challenge(app.name, user), given);
    await complete(app.name, await challenge(app.name, user), recovery[0]);

    const audit = JSON.stringify(await ctx.models.AuditEntry.findAll());
    for (const text of [logs.text(), audit]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(recovery[0]);
      expect(text).not.toContain(`"${given}"`);
    }
  });
});

// Last: a context of its own, whose clock then dates the admin requests.
describe('wrong codes and the brute-force limits', () => {
  it('lock the account out like wrong passwords: 429 after LOGIN_MAX_FAILURES, right passwords in between', async () => {
    const strict = await createTestContext({ loginMaxFailures: 3 });
    try {
      const app = await createApplication(strict.app, { mfa: 'optional' });
      const user = await createUser(strict.app, app.name);
      const token = (await login(strict.app, app.name, user.username, user.password)).body.token as string;
      const secret = (await request(strict.app).post(`/${app.name}/${user.username}/mfa/enrol`).set(bearer(token))).body
        .secret as string;
      const first = totpCode(secret, strict.clock.now());
      await request(strict.app)
        .post(`/${app.name}/${user.username}/mfa/confirm`)
        .set(bearer(token))
        .send({ code: first });
      strict.clock.advance(STEP);
      const attempt = async (given: string) => {
        const asked = await login(strict.app, app.name, user.username, user.password);
        return request(strict.app)
          .post(`/${app.name}/login/mfa`)
          .send({ mfa_token: asked.body.mfa_token, code: given });
      };

      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await attempt('000000')).status);
      const locked = await login(strict.app, app.name, user.username, user.password);

      expect(statuses).toEqual([401, 401, 401]);
      expect(locked.status).toBe(429);
      expect(locked.headers['retry-after']).toEqual(expect.any(String));
    } finally {
      await strict.close();
    }
  });
});

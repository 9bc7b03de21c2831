import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { totpCode } from '../../src/crypto/totp';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { GOOD_PASSWORD, uniqueName } from '../helpers/factories';

// The second factor of admin accounts: enrolment from a console session, /admin/login then /admin/login/mfa.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ loginMaxFailures: 1000, loginMaxFailuresPerIp: 1_000_000 });
});
afterAll(async () => ctx.close());

const adminLogin = (username: string, password = GOOD_PASSWORD) =>
  request(ctx.app).post('/admin/login').send({ username, password });
const complete = (mfa_token: string, code: string) =>
  request(ctx.app).post('/admin/login/mfa').send({ mfa_token, code });
// The console's client asks for JSON: a GET under /admin/ that accepts HTML is a page of the console.
const session = (token: string) => ({ Authorization: `Bearer ${token}`, Accept: 'application/json' });
const code = (secret: string) => totpCode(secret, ctx.clock.now());

/** An admin account that enrolled and confirmed from its console session; the clock is then one step on. */
async function enrolledAdmin() {
  const username = uniqueName('admin');
  await ensureAdminAccount(username, GOOD_PASSWORD, ctx.config, ctx.deps);
  const token = (await adminLogin(username)).body.token as string;
  const enrolment = await request(ctx.app).post('/admin/account/mfa/enrol').set(session(token));
  expect(enrolment.status).toBe(200);
  const secret = enrolment.body.secret as string;
  const confirmed = await request(ctx.app)
    .post('/admin/account/mfa/confirm')
    .set(session(token))
    .send({ code: code(secret) });
  expect(confirmed.status).toBe(200);
  ctx.clock.advance(30);
  return { username, token, secret, enrolment, recovery: confirmed.body.recovery_codes as string[] };
}

describe('the account of the caller', () => {
  it('when a signed request (the master key) asks for the account or enrols, then 403 console_session_required and no factor is stored', async () => {
    const factors = () => ctx.db.query('SELECT id FROM second_factors', { type: QueryTypes.SELECT });
    const before = (await factors()).length;

    const account = await admin(ctx.app, 'get', '/admin/account').set('Accept', 'application/json');
    const enrol = await admin(ctx.app, 'post', '/admin/account/mfa/enrol');

    expect([account.status, account.body.error]).toEqual([403, 'console_session_required']);
    expect([enrol.status, enrol.body.error]).toEqual([403, 'console_session_required']);
    expect(await factors()).toHaveLength(before);
  });

  it("when two accounts enrol from their own sessions, then each factor belongs to the session's own account", async () => {
    const [first, second] = [uniqueName('admin'), uniqueName('admin')];
    for (const name of [first, second]) await ensureAdminAccount(name, GOOD_PASSWORD, ctx.config, ctx.deps);
    const token = (await adminLogin(second)).body.token as string;

    expect((await request(ctx.app).post('/admin/account/mfa/enrol').set(session(token))).status).toBe(200);

    const owner = await ctx.models.AdminAccount.findOne({ where: { username: second } });
    const rows = await ctx.db.query<{ admin_account_id: number }>(
      'SELECT admin_account_id FROM second_factors WHERE admin_account_id IN (SELECT id FROM admin_accounts WHERE username IN ($1, $2))',
      { bind: [first, second], type: QueryTypes.SELECT },
    );
    expect(rows.map((r) => Number(r.admin_account_id))).toEqual([owner?.id]);
  });
});

describe('an admin account with a second factor', () => {
  it('enrols from its console session: secret, otpauth URI with the console as issuer, QR code; GET /admin/account says so', async () => {
    const username = uniqueName('admin');
    await ensureAdminAccount(username, GOOD_PASSWORD, ctx.config, ctx.deps);
    const token = (await adminLogin(username)).body.token as string;
    expect((await request(ctx.app).get('/admin/account').set(session(token))).body).toEqual({
      username,
      mfa_active: false,
    });

    const { enrolment, recovery } = await enrolledAdmin();

    expect(new URL(enrolment.body.otpauth_uri as string).searchParams.get('issuer')).toBe('jawth console');
    expect(enrolment.body.qr_svg).toMatch(/^<svg/);
    expect(recovery).toHaveLength(10);
  });

  it('answers mfa_required at /admin/login, then a console session at /admin/login/mfa; the token is one-use', async () => {
    const { username, secret } = await enrolledAdmin();

    const asked = await adminLogin(username);
    expect(asked.status).toBe(200);
    expect(asked.body).toEqual({ mfa_required: true, mfa_token: expect.any(String) });
    const res = await complete(asked.body.mfa_token as string, code(secret));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), expires_in: 1800 });
    const me = await request(ctx.app)
      .get('/admin/account')
      .set(session(res.body.token as string));
    expect(me.body).toEqual({ username, mfa_active: true });
    ctx.clock.advance(30);
    expect((await complete(asked.body.mfa_token as string, code(secret))).status).toBe(401);
  });

  it('refuses a wrong code, a replayed code, and accepts a recovery code once', async () => {
    const { username, secret, recovery } = await enrolledAdmin();
    const used = code(secret);
    expect((await complete((await adminLogin(username)).body.mfa_token as string, used)).status).toBe(200);

    const replay = await complete((await adminLogin(username)).body.mfa_token as string, used);
    expect([replay.status, replay.body.error]).toEqual([401, 'invalid_code']);
    expect((await complete((await adminLogin(username)).body.mfa_token as string, '999999')).status).toBe(401);
    expect((await complete((await adminLogin(username)).body.mfa_token as string, recovery[3])).status).toBe(200);
    expect((await complete((await adminLogin(username)).body.mfa_token as string, recovery[3])).status).toBe(401);
  });

  it("does not take an application user's mfa_token", async () => {
    const app = (await admin(ctx.app, 'post', '/applications', { name: uniqueName('app'), mfa: 'required' })).body;
    await admin(ctx.app, 'post', `/${app.name}/users`, { username: 'u', password: GOOD_PASSWORD });
    const userToken = (
      await request(ctx.app).post(`/${app.name}/login`).send({ username: 'u', password: GOOD_PASSWORD })
    ).body.mfa_token as string;

    expect((await complete(userToken, '123456')).status).toBe(401);
  });

  it('cannot enrol with a signed admin request: it names no account', async () => {
    const res = await admin(ctx.app, 'post', '/admin/account/mfa/enrol');
    expect(res.status).toBe(403);
  });

  it('can be reset by another admin, audited; the account then logs in with its password alone', async () => {
    const { username } = await enrolledAdmin();

    const res = await admin(ctx.app, 'delete', `/admin/accounts/${username}/mfa`);

    expect(res.status).toBe(204);
    const entry = await ctx.models.AuditEntry.findOne({ where: { action: 'admin.remove_mfa', target: username } });
    expect(entry?.outcome).toBe('success');
    expect((await adminLogin(username)).body).toEqual({ token: expect.any(String), expires_in: 1800 });
    expect((await admin(ctx.app, 'delete', `/admin/accounts/${username}/mfa`)).status).toBe(404);
  });

  it('keeps the secret sealed in the database and out of the audit log', async () => {
    const { username, secret, recovery } = await enrolledAdmin();
    const account = await ctx.models.AdminAccount.findOne({ where: { username } });
    const [row] = await ctx.db.query<{ secret: string }>(
      'SELECT secret FROM second_factors WHERE admin_account_id = $1',
      { bind: [account?.id], type: QueryTypes.SELECT },
    );
    expect(row.secret).toMatch(/^v1\./);
    expect(row.secret).not.toContain(secret);
    const audit = JSON.stringify(await ctx.models.AuditEntry.findAll());
    expect(audit).not.toContain(secret);
    expect(audit).not.toContain(recovery[0]);
  });
});

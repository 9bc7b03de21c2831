import request from 'supertest';
import { decodeClaimsForTest } from '../helpers/claims';
import { sha256 } from '../../src/crypto/random';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { ADMIN_SESSION_TTL } from '../../src/services/admin-session.service';
import { SECRET_KEY, adminToken, createTestContext, type TestContext } from '../helpers/context';
import { signToken } from '../../src/crypto/jwt';
import { GOOD_PASSWORD, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

async function newAdmin() {
  const username = uniqueName('admin');
  await ensureAdminAccount(username, GOOD_PASSWORD, ctx.config, ctx.deps);
  return username;
}

const adminLogin = (username: string, password: string) =>
  request(ctx.app).post('/admin/login').send({ username, password });

async function loggedIn() {
  const username = await newAdmin();
  const res = await adminLogin(username, GOOD_PASSWORD);
  expect(res.status).toBe(200);
  return { username, token: res.body.token as string };
}

const withSession = (token: string) => ({
  list: () => request(ctx.app).get('/applications').set('Authorization', `Bearer ${token}`),
  logout: () => request(ctx.app).post('/admin/logout').set('Authorization', `Bearer ${token}`),
});

const storedSession = (token: string) =>
  ctx.models.AdminSession.findOne({ where: { sidHash: sha256(decodeClaimsForTest(token).sid as string) } });

describe('POST /admin/login', () => {
  it('when the password is right, then 200 with a short-lived session token and a stored session', async () => {
    const username = await newAdmin();
    const res = await adminLogin(username, GOOD_PASSWORD);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), expires_in: ADMIN_SESSION_TTL });
    const claims = decodeClaimsForTest(res.body.token);
    expect(claims).toEqual({
      sid: expect.any(String),
      sub: username,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(ADMIN_SESSION_TTL);
    const session = await storedSession(res.body.token);
    expect(session?.revokedAt).toBeNull();
    expect(session?.sidHash).not.toBe(claims.sid);
    expect((await ctx.models.AdminAccount.findOne({ where: { username } }))?.lastLoginAt).not.toBeNull();
  });

  it('names the admin one way in the audit log: `admin:<name>` for the login and for what the session changes', async () => {
    const username = await newAdmin();
    const { token } = (await adminLogin(username, GOOD_PASSWORD)).body;
    const name = uniqueName('by-session');
    const created = await request(ctx.app).post('/applications').set('Authorization', `Bearer ${token}`).send({ name });
    expect(created.status).toBe(201);

    const login = await ctx.models.AuditEntry.findOne({ where: { action: 'admin.login', target: username } });
    const change = await ctx.models.AuditEntry.findOne({ where: { action: 'application.create', app: name } });
    expect(login?.actor).toBe(`admin:${username}`);
    expect(change?.actor).toBe(`admin:${username}`);
  });

  it('when the password is wrong or the admin unknown, then the same 401 invalid_credentials and no session', async () => {
    const username = await newAdmin();
    const before = await ctx.models.AdminSession.count();
    const wrong = await adminLogin(username, 'not-the-password-1');
    const unknown = await adminLogin(uniqueName('nobody'), GOOD_PASSWORD);

    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid_credentials', message: 'The username or password is incorrect.' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(await ctx.models.AdminSession.count()).toBe(before);
  });

  it('when a field is missing, then 400 validation_failed', async () => {
    const res = await request(ctx.app).post('/admin/login').send({ username: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
  });
});

describe('admin routes with a session (Authorization: Bearer)', () => {
  it('lists and creates applications, the request data being the JSON body', async () => {
    const { token } = await loggedIn();
    const name = uniqueName('console');

    expect((await withSession(token).list()).status).toBe(200);
    const created = await request(ctx.app).post('/applications').set('Authorization', `Bearer ${token}`).send({ name });

    expect(created.status).toBe(201);
    expect(created.body.name).toBe(name);
    expect(await ctx.models.Application.count({ where: { name } })).toBe(1);
  });

  it('refuses a body that is not an object with 400', async () => {
    const { token } = await loggedIn();
    const res = await request(ctx.app).post('/applications').set('Authorization', `Bearer ${token}`).send(['x']);
    expect(res.status).toBe(400);
  });

  it('refuses a session token on the `auth: jwt` signed path (it carries no password)', async () => {
    const { token } = await loggedIn();
    const res = await request(ctx.app).get('/applications').set('auth', `jwt ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
  });

  it('refuses a session token once the session has expired', async () => {
    const { token } = await loggedIn();
    ctx.clock.advance(ADMIN_SESSION_TTL + 1);
    try {
      expect((await withSession(token).list()).status).toBe(401);
    } finally {
      ctx.clock.advance(-(ADMIN_SESSION_TTL + 1));
    }
  });

  it('refuses a session whose stored expiry has passed, even if the token has not', async () => {
    const { token } = await loggedIn();
    await ctx.models.AdminSession.update(
      { expiresAt: new Date(ctx.clock.now().getTime() - 1000) },
      { where: { sidHash: sha256(decodeClaimsForTest(token).sid as string) } },
    );
    expect((await withSession(token).list()).status).toBe(401);
  });

  it('refuses a token with a sid that names no stored session', async () => {
    const forged = adminToken({ claims: { sid: 'f'.repeat(64) } });
    expect((await withSession(forged).list()).status).toBe(401);
  });

  it('refuses the session of a deleted admin account (its sessions go with it)', async () => {
    const { username, token } = await loggedIn();
    await ctx.models.AdminAccount.destroy({ where: { username } });
    expect((await withSession(token).list()).status).toBe(401);
    expect(await storedSession(token)).toBeNull();
  });

  it('still accepts signed requests as Authorization: Bearer (they are never sessions)', async () => {
    expect((await withSession(adminToken({ method: 'GET', path: '/applications' })).list()).status).toBe(200);
  });
});

describe('POST /admin/logout', () => {
  it('revokes the session server-side: 204, then the token is refused', async () => {
    const { token } = await loggedIn();

    const res = await withSession(token).logout();

    expect(res.status).toBe(204);
    expect((await storedSession(token))?.revokedAt).not.toBeNull();
    expect((await withSession(token).list()).status).toBe(401);
    expect((await withSession(token).logout()).status).toBe(401);
  });

  it('refuses a signed request token: it is not a session, and nothing is revoked', async () => {
    const { token } = await loggedIn();
    const signed = adminToken({ method: 'POST', path: '/admin/logout' });

    expect((await withSession(signed).logout()).status).toBe(401);
    expect((await request(ctx.app).post('/admin/logout').set('auth', `jwt ${token}`)).status).toBe(401);
    expect((await storedSession(token))?.revokedAt).toBeNull();
  });

  it('refuses a request without a credential', async () => {
    expect((await request(ctx.app).post('/admin/logout')).status).toBe(401);
  });
});

describe('admin accounts (what `jawth init` creates)', () => {
  it('creates an account once, bcrypt-hashed; a second call says it exists and changes nothing', async () => {
    const username = uniqueName('init');
    expect(await ensureAdminAccount(username, GOOD_PASSWORD, ctx.config, ctx.deps)).toEqual({
      created: true,
      username,
    });
    const hash = (await ctx.models.AdminAccount.findOne({ where: { username } }))?.passwordHash;
    expect(hash).toMatch(/^\$2b\$04\$/);

    expect(await ensureAdminAccount(username, 'another-pass-word-9', ctx.config, ctx.deps)).toEqual({
      created: false,
      username,
    });
    expect((await ctx.models.AdminAccount.findOne({ where: { username } }))?.passwordHash).toBe(hash);
  });

  it('refuses a common password', async () => {
    await expect(ensureAdminAccount(uniqueName('weak'), 'password123', ctx.config, ctx.deps)).rejects.toMatchObject({
      code: 'weak_password',
    });
  });

  it('when the username holds a NUL or another control character, then it is refused before any query', async () => {
    const before = await ctx.models.AdminAccount.count();
    for (const username of ['root\u0000', 'ro\not', 'root\u007f']) {
      await expect(ensureAdminAccount(username, GOOD_PASSWORD, ctx.config, ctx.deps)).rejects.toMatchObject({
        code: 'validation_failed',
      });
    }
    expect(await ctx.models.AdminAccount.count()).toBe(before);
  });
});

describe('admin session tokens: lifetime, however the token is dated', () => {
  const TEN_YEARS = 10 * 365 * 86400;
  it.each([
    ['iat ten years ahead and exp = iat + 60', (iat: number) => ({ iat: iat + TEN_YEARS, exp: iat + TEN_YEARS + 60 })],
    ['iat = exp = 1e308', () => ({ iat: 1e308, exp: 1e308 })],
    ['exp ten years ahead', (iat: number) => ({ iat, exp: iat + TEN_YEARS })],
    ['no exp', (iat: number) => ({ iat, exp: undefined })],
  ])('when a live session is re-dated with %s, then 401 and the session stays as it was', async (_what, times) => {
    const { token } = await loggedIn();
    const claims = decodeClaimsForTest(token);
    const dated = { ...claims, ...times(claims.iat as number) };
    const redated = signToken(Object.fromEntries(Object.entries(dated).filter(([, v]) => v !== undefined)), SECRET_KEY);

    const res = await withSession(redated).list();

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
    expect((await withSession(redated).logout()).status).toBe(401);
    expect((await storedSession(token))?.revokedAt).toBeNull();
    expect((await withSession(token).list()).status).toBe(200);
  });
});

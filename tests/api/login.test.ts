import bcrypt from 'bcrypt';
import { jwtVerify, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { signToken } from '../../src/crypto/jwt';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { GOOD_PASSWORD, createApplication, createUser, login, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

const key = (secret: string) => new TextEncoder().encode(secret);

describe('POST /:app/login', () => {
  it('returns a token any HS256 library verifies, with the documented claims and kid', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name, { role: 'editor' });

    const res = await login(ctx.app, app.name, user.username, user.password);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 900,
      token_type: 'Bearer',
      username: user.username,
      uid: user.uid,
      role: 'editor',
    });
    // An independent verifier (jose), pinned to HS256, accepts the token with the app's secret.
    const { payload, protectedHeader } = await jwtVerify(res.body.token, key(app.secret), { algorithms: ['HS256'] });
    expect(protectedHeader).toMatchObject({ alg: 'HS256', kid: 'v1' });
    expect(payload).toEqual({
      username: user.username,
      id: user.uid,
      role: 'editor',
      groups: [],
      orgs: [],
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      app: app.name,
      iss: 'jawth',
      iat: expect.any(Number),
      exp: (payload.iat as number) + 900,
    });
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    expect(row?.lastLoginAt?.toISOString()).toBe(payload.timestamp);
    expect(await ctx.models.Session.count({ where: { userId: row?.id } })).toBe(1);
  });

  it('adds aud only when the application sets an audience', async () => {
    const app = await createApplication(ctx.app, { audience: 'orders-api' });
    const user = await createUser(ctx.app, app.name);
    const res = await login(ctx.app, app.name, user.username, user.password);
    const { payload } = await jwtVerify(res.body.token, key(app.secret), { audience: 'orders-api' });
    expect(payload.aud).toBe('orders-api');
  });

  it('stores the refresh token only as a hash', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const res = await login(ctx.app, app.name, user.username, user.password);
    const sessions = await ctx.models.Session.findAll();
    for (const session of sessions) {
      expect(session.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.body.refresh_token).not.toContain(session.tokenHash);
    }
    // The refresh token is not signed with the application's secret.
    await expect(jwtVerify(res.body.refresh_token, key(app.secret))).rejects.toThrow();
  });

  it('answers unknown application, unknown user, wrong password and disabled user alike', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const disabled = await createUser(ctx.app, app.name);
    await admin(ctx.app, 'patch', `/${app.name}/users/${disabled.username}`, { disabled: true });

    const answers = await Promise.all([
      login(ctx.app, 'no-such-app', user.username, user.password),
      login(ctx.app, app.name, 'nobody', user.password),
      login(ctx.app, app.name, user.username, 'wrong-password-1'),
      login(ctx.app, app.name, disabled.username, disabled.password),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_credentials', message: 'The username or password is incorrect.' });
    }
    expect((await ctx.models.User.findOne({ where: { uid: user.uid } }))?.lastLoginAt).toBeNull();
  });

  it('runs a bcrypt comparison for an unknown user too', async () => {
    const app = await createApplication(ctx.app);
    const compare = jest.spyOn(bcrypt, 'compare');
    await login(ctx.app, app.name, 'nobody', 'whatever-password');
    expect(compare).toHaveBeenCalledTimes(1);
    compare.mockRestore();
  });

  it('re-hashes a password stored at another cost after a successful login', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    await ctx.models.User.update({ passwordHash: await bcrypt.hash(user.password, 5) }, { where: { uid: user.uid } });
    expect((await login(ctx.app, app.name, user.username, user.password)).status).toBe(200);
    const hash = (await ctx.models.User.findOne({ where: { uid: user.uid } }))?.passwordHash ?? '';
    expect(bcrypt.getRounds(hash)).toBe(ctx.config.bcryptCost);
    expect(await bcrypt.compare(user.password, hash)).toBe(true);
  });

  it('refuses a body without username or password with 400', async () => {
    const app = await createApplication(ctx.app);
    const res = await request(ctx.app).post(`/${app.name}/login`).send({ username: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('signs with the new secret after a rotation, naming its version in kid', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const rotated = await admin(ctx.app, 'post', `/applications/${app.name}/rotate_secret`);
    const res = await login(ctx.app, app.name, user.username, user.password);
    expect(decodeProtectedHeader(res.body.token).kid).toBe('v2');
    await expect(jwtVerify(res.body.token, key(rotated.body.secret))).resolves.toBeDefined();
    await expect(jwtVerify(res.body.token, key(app.secret))).rejects.toThrow();
  });
});

describe('POST /:app/:username/change_password', () => {
  async function loggedIn() {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const res = await login(ctx.app, app.name, user.username, user.password);
    return { app, user, token: res.body.token as string };
  }
  const change = (appName: string, username: string, token: string, body: object) =>
    request(ctx.app).post(`/${appName}/${username}/change_password`).set('auth', `jwt ${token}`).send(body);
  const NEW = 'brand-new-password-42';

  it('changes the password with the latest login token, revokes sessions and returns a fresh login', async () => {
    const { app, user, token } = await loggedIn();
    const before = await ctx.models.User.findOne({ where: { uid: user.uid } });

    const res = await change(app.name, user.username, token, { password: NEW, repeated_password: NEW });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token: expect.any(String), refresh_token: expect.any(String), uid: user.uid });
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    expect(await bcrypt.compare(NEW, row?.passwordHash ?? '')).toBe(true);
    expect(row?.passwordHash).not.toBe(before?.passwordHash);
    expect(await ctx.models.Session.count({ where: { userId: row?.id, revokedAt: null } })).toBe(1);
    // The old token is now an older login's token; the fresh one works.
    expect((await change(app.name, user.username, token, { password: NEW, repeated_password: NEW })).status).toBe(401);
    const again = await change(app.name, user.username, res.body.token, {
      password: 'third-password-77',
      repeated_password: 'third-password-77',
    });
    expect(again.status).toBe(200);
  });

  it('accepts Authorization: Bearer as well', async () => {
    const { app, user, token } = await loggedIn();
    const res = await request(ctx.app)
      .post(`/${app.name}/${user.username}/change_password`)
      .set('Authorization', `Bearer ${token}`)
      .send({ password: NEW, repeated_password: NEW });
    expect(res.status).toBe(200);
  });

  it('refuses the token of an older login', async () => {
    const { app, user, token } = await loggedIn();
    ctx.clock.advance(1);
    await login(ctx.app, app.name, user.username, user.password);
    const res = await change(app.name, user.username, token, { password: NEW, repeated_password: NEW });
    expect(res.status).toBe(401);
    expect(
      await bcrypt.compare(
        user.password,
        (await ctx.models.User.findOne({ where: { uid: user.uid } }))?.passwordHash ?? '',
      ),
    ).toBe(true);
  });

  it('refuses a token after the sessions were revoked', async () => {
    const { app, user, token } = await loggedIn();
    ctx.clock.advance(1);
    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`);
    expect((await change(app.name, user.username, token, { password: NEW, repeated_password: NEW })).status).toBe(401);
  });

  it('refuses a token whose sessions were revoked in the same millisecond as its login', async () => {
    const { app, user, token } = await loggedIn(); // the fake clock does not move between the two
    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`);
    expect((await change(app.name, user.username, token, { password: NEW, repeated_password: NEW })).status).toBe(401);
    const fresh = await login(ctx.app, app.name, user.username, user.password);
    expect(
      (await change(app.name, user.username, fresh.body.token, { password: NEW, repeated_password: NEW })).status,
    ).toBe(200);
  });

  it("refuses another user's token and another application's token", async () => {
    const first = await loggedIn();
    const second = await loggedIn();
    const body = { password: NEW, repeated_password: NEW };
    expect((await change(first.app.name, first.user.username, second.token, body)).status).toBe(401);
    const sameNameOtherApp = await createUser(ctx.app, second.app.name, { username: first.user.username });
    const other = await login(ctx.app, second.app.name, sameNameOtherApp.username, sameNameOtherApp.password);
    expect((await change(first.app.name, first.user.username, other.body.token, body)).status).toBe(401);
  });

  it('refuses a forged token, an expired token and no token', async () => {
    const { app, user, token } = await loggedIn();
    const body = { password: NEW, repeated_password: NEW };
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    const forged = signToken(claims, 'an-attacker-secret-of-at-least-32-bytes!!');
    expect((await change(app.name, user.username, forged, body)).status).toBe(401);
    ctx.clock.advance(901);
    expect((await change(app.name, user.username, token, body)).status).toBe(401);
    expect((await request(ctx.app).post(`/${app.name}/${user.username}/change_password`).send(body)).status).toBe(401);
  });

  it('refuses differing or weak passwords with 400 and keeps the old password', async () => {
    const { app, user, token } = await loggedIn();
    const differ = await change(app.name, user.username, token, { password: NEW, repeated_password: NEW + 'x' });
    expect(differ.status).toBe(400);
    expect(differ.body.details[0].field).toBe('repeated_password');
    const weak = await change(app.name, user.username, token, {
      password: 'iloveyou1',
      repeated_password: 'iloveyou1',
    });
    expect(weak.body.error).toBe('weak_password');
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    expect(await bcrypt.compare(GOOD_PASSWORD, row?.passwordHash ?? '')).toBe(true);
  });

  it('accepts a login token signed with the previous secret during the grace period only', async () => {
    const changeWith = (session: Awaited<ReturnType<typeof loggedIn>>) =>
      change(session.app.name, session.user.username, session.token, { password: NEW, repeated_password: NEW });
    const rotate = (name: string, grace?: string) =>
      admin(ctx.app, 'post', `/applications/${name}/rotate_secret`, grace ? { grace } : {});

    const within = await loggedIn();
    await rotate(within.app.name, '1m');
    ctx.clock.advance(59);
    expect((await changeWith(within)).status).toBe(200);

    const after = await loggedIn();
    await rotate(after.app.name, '1m');
    ctx.clock.advance(61);
    const refused = await changeWith(after);
    expect(refused.status).toBe(401);
    expect(
      await bcrypt.compare(
        GOOD_PASSWORD,
        (await ctx.models.User.findOne({ where: { uid: after.user.uid } }))?.passwordHash ?? '',
      ),
    ).toBe(true);

    const without = await loggedIn();
    await rotate(without.app.name);
    expect((await changeWith(without)).status).toBe(401);
  });
});

describe('passwords longer than 72 bytes', () => {
  // bcrypt reads 72 bytes: a user whose password fills them must not log in with it plus a suffix.
  const ascii72 = 'k7#'.repeat(24);
  const utf8x72 = 'é'.repeat(36); // 36 characters, 72 bytes of UTF-8
  const emoji72 = `${'🔑'.repeat(17)}abcd`; // 17 × 4 + 4 = 72 bytes
  afterEach(() => jest.restoreAllMocks());

  const answersLikeAWrongPassword = (res: request.Response) => {
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_credentials', message: 'The username or password is incorrect.' });
  };

  it.each([
    ['ASCII', ascii72, 'x'],
    ['two-byte characters', utf8x72, 'é'],
    ['four-byte characters', emoji72, '🔑'],
  ])(
    'when a user with a 72-byte password (%s) adds a suffix, then /:app/login and /token/refresh answer 401 and record no login',
    async (_kind, password, suffix) => {
      const app = await createApplication(ctx.app);
      const user = await createUser(ctx.app, app.name, { password });
      const compare = jest.spyOn(bcrypt, 'compare');

      const viaLogin = await login(ctx.app, app.name, user.username, `${password}${suffix}`);
      const viaQuid = await request(ctx.app)
        .post('/token/refresh')
        .send({ namespace: app.name, username: user.username, password: `${password}${suffix}` });

      answersLikeAWrongPassword(viaLogin);
      answersLikeAWrongPassword(viaQuid);
      expect(compare).toHaveBeenCalledTimes(2); // the same bcrypt work as a wrong password
      const stored = await ctx.models.User.findOne({ where: { uid: user.uid } });
      expect(stored?.lastLoginAt).toBeNull();
      expect(await ctx.models.Session.count({ where: { userId: stored?.id } })).toBe(0);
      expect((await login(ctx.app, app.name, user.username, password)).status).toBe(200);
    },
  );

  it('when an unknown user sends a long password, then the answer is the same 401 after a dummy comparison', async () => {
    const app = await createApplication(ctx.app);
    const compare = jest.spyOn(bcrypt, 'compare');
    answersLikeAWrongPassword(await login(ctx.app, app.name, 'nobody', `${utf8x72}tail`));
    expect(compare).toHaveBeenCalledTimes(1);
  });

  it('when an admin account with a 72-byte password adds a suffix, then /admin/login answers 401 and opens no session', async () => {
    const username = uniqueName('admin');
    await ensureAdminAccount(username, utf8x72, ctx.config, ctx.deps);

    const res = await request(ctx.app)
      .post('/admin/login')
      .send({ username, password: `${utf8x72}é` });

    answersLikeAWrongPassword(res);
    expect(await ctx.models.AdminSession.count()).toBe(0);
    expect((await ctx.models.AdminAccount.findOne({ where: { username } }))?.lastLoginAt).toBeNull();
    expect((await request(ctx.app).post('/admin/login').send({ username, password: utf8x72 })).status).toBe(200);
  });
});

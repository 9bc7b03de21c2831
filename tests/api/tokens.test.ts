import { decodeProtectedHeader, jwtVerify } from 'jose';
import request from 'supertest';
import { purgeSessions } from '../../src/services/session.service';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

const key = (secret: string) => new TextEncoder().encode(secret);
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

async function setup(fields: Record<string, unknown> = {}) {
  const app = await createApplication(ctx.app, fields);
  const user = await createUser(ctx.app, app.name);
  return { app, user };
}

const quidRefresh = (namespace: string, username: string, password: string, ttl = '/10m') =>
  request(ctx.app).post(`/token/refresh${ttl}`).send({ namespace, username, password });
const quidAccess = (namespace: string, refresh_token: string, ttl = '/10m') =>
  request(ctx.app).post(`/token/access${ttl}`).send({ namespace, refresh_token });
const rotate = (appName: string, refresh_token: string) =>
  request(ctx.app).post(`/${appName}/refresh`).send({ refresh_token });

async function refreshTokenFor(appName: string, user: { username: string; password: string }) {
  const res = await quidRefresh(appName, user.username, user.password);
  expect(res.status).toBe(200);
  return res.body.token as string;
}

describe('POST /token/refresh/:ttl (Quid)', () => {
  it('returns a refresh token valid for ttl, recorded as a hashed session, not signed with the app secret', async () => {
    const { app, user } = await setup();
    const res = await quidRefresh(app.name, user.username, user.password);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['token']);
    const claims = claimsOf(res.body.token);
    expect(claims.exp - claims.iat).toBe(600);
    await expect(jwtVerify(res.body.token, key(app.secret))).rejects.toThrow();
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    const sessions = await ctx.models.Session.findAll({ where: { userId: row?.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0].expiresAt.getTime()).toBe(claims.exp * 1000);
    expect(res.body.token).not.toContain(sessions[0].tokenHash);
    expect(row?.lastLoginAt).not.toBeNull();
  });

  it('uses refresh_ttl_max without a ttl segment and refuses a ttl above it', async () => {
    const { app, user } = await setup({ refresh_ttl_max: '2h' });
    const plain = await quidRefresh(app.name, user.username, user.password, '');
    const claims = claimsOf(plain.body.token);
    expect(claims.exp - claims.iat).toBe(7200);
    const over = await quidRefresh(app.name, user.username, user.password, '/3h');
    expect(over.status).toBe(400);
    expect(over.body.error).toBe('ttl_exceeds_max');
    expect((await quidRefresh(app.name, user.username, user.password, '/ten')).status).toBe(400);
  });

  it('answers wrong password, unknown user, unknown namespace and disabled user with 401 invalid_credentials', async () => {
    const { app, user } = await setup();
    const disabled = await createUser(ctx.app, app.name);
    await admin(ctx.app, 'patch', `/${app.name}/users/${disabled.username}`, { disabled: true });
    for (const res of [
      await quidRefresh(app.name, user.username, 'wrong-password-1'),
      await quidRefresh(app.name, 'nobody', user.password),
      await quidRefresh('no-such-namespace', user.username, user.password),
      await quidRefresh(app.name, disabled.username, disabled.password),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_credentials');
    }
  });

  it('reads a JSON body sent as text/plain or with no content type (quidjs)', async () => {
    const { app, user } = await setup();
    const body = JSON.stringify({ namespace: app.name, username: user.username, password: user.password });
    const asText = await request(ctx.app).post('/token/refresh/10m').set('content-type', 'text/plain').send(body);
    expect(asText.status).toBe(200);
    const bare = await request(ctx.app).post('/token/refresh/10m').unset('content-type').send(Buffer.from(body));
    expect(bare.status).toBe(200);
  });
});

describe('POST /token/access/:ttl (Quid)', () => {
  it('returns an access token with the Quid claims, signed with the app secret and kid', async () => {
    const { app, user } = await setup();
    const refresh = await refreshTokenFor(app.name, user);
    const res = await quidAccess(app.name, refresh, '/5m');
    expect(res.status).toBe(200);
    const { payload } = await jwtVerify(res.body.token, key(app.secret), { algorithms: ['HS256'] });
    expect(payload).toEqual({
      username: user.username,
      groups: [],
      orgs: [],
      role: 'user',
      id: user.uid,
      app: app.name,
      iss: 'jawth',
      iat: expect.any(Number),
      exp: (payload.iat as number) + 300,
    });
    expect(decodeProtectedHeader(res.body.token).kid).toBe('v1');
  });

  it('uses access_ttl without a ttl segment and refuses one above access_ttl_max', async () => {
    const { app, user } = await setup({ access_ttl: '1m', access_ttl_max: '5m' });
    const refresh = await refreshTokenFor(app.name, user);
    const plain = await quidAccess(app.name, refresh, '');
    const claims = claimsOf(plain.body.token);
    expect(claims.exp - claims.iat).toBe(60);
    const over = await quidAccess(app.name, refresh, '/6m');
    expect(over.status).toBe(400);
    expect(over.body.error).toBe('ttl_exceeds_max');
  });

  it('adds aud only for an application with an audience', async () => {
    const { app, user } = await setup({ audience: 'orders' });
    const res = await quidAccess(app.name, await refreshTokenFor(app.name, user));
    expect(claimsOf(res.body.token).aud).toBe('orders');
  });

  it("refuses another application's refresh token, a tampered one and garbage with 401", async () => {
    const first = await setup();
    const second = await setup();
    const refresh = await refreshTokenFor(first.app.name, first.user);
    expect((await quidAccess(second.app.name, refresh)).status).toBe(401);
    const [h, p, s] = refresh.split('.');
    const tamperedPayload = Buffer.from(
      JSON.stringify({ ...claimsOf(refresh), exp: claimsOf(refresh).exp + 1e6 }),
    ).toString('base64url');
    expect((await quidAccess(first.app.name, `${h}.${tamperedPayload}.${s}`)).status).toBe(401);
    expect((await quidAccess(first.app.name, `${h}.${p}.${s.slice(1)}x`)).status).toBe(401);
    const garbage = await quidAccess(first.app.name, 'not-a-token');
    expect(garbage.status).toBe(401);
    expect(garbage.body.error).toBe('invalid_token');
    expect((await quidAccess('no-such-app', refresh)).status).toBe(401);
  });

  it('stops working once the sessions are revoked, the user disabled or deleted, or the app deleted', async () => {
    const revoked = await setup();
    const r1 = await refreshTokenFor(revoked.app.name, revoked.user);
    await admin(ctx.app, 'delete', `/${revoked.app.name}/users/${revoked.user.username}/sessions`);
    expect((await quidAccess(revoked.app.name, r1)).status).toBe(401);

    const disabled = await setup();
    const r2 = await refreshTokenFor(disabled.app.name, disabled.user);
    await admin(ctx.app, 'patch', `/${disabled.app.name}/users/${disabled.user.username}`, { disabled: true });
    expect((await quidAccess(disabled.app.name, r2)).status).toBe(401);
    await admin(ctx.app, 'patch', `/${disabled.app.name}/users/${disabled.user.username}`, { disabled: false });
    expect((await quidAccess(disabled.app.name, r2)).status).toBe(401); // disabling revoked it for good

    const deleted = await setup();
    const r3 = await refreshTokenFor(deleted.app.name, deleted.user);
    await admin(ctx.app, 'delete', `/${deleted.app.name}/users/${deleted.user.username}`);
    expect((await quidAccess(deleted.app.name, r3)).status).toBe(401);

    const gone = await setup();
    const r4 = await refreshTokenFor(gone.app.name, gone.user);
    await admin(ctx.app, 'delete', `/applications/${gone.app.name}`);
    expect((await quidAccess(gone.app.name, r4)).status).toBe(401);
    expect(await ctx.models.Application.count({ where: { name: gone.app.name } })).toBe(0);
  });

  it('stops working after a password change', async () => {
    const { app, user } = await setup();
    const refresh = await refreshTokenFor(app.name, user);
    await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, { password: 'a-new-password-55' });
    expect((await quidAccess(app.name, refresh)).status).toBe(401);
  });

  it('refuses an expired refresh token', async () => {
    const { app, user } = await setup();
    const refresh = await refreshTokenFor(app.name, user);
    ctx.clock.advance(601);
    expect((await quidAccess(app.name, refresh)).status).toBe(401);
  });

  it('signs with the new secret right after a rotation', async () => {
    const { app, user } = await setup();
    const refresh = await refreshTokenFor(app.name, user);
    await quidAccess(app.name, refresh); // warms the application cache
    const rotated = await admin(ctx.app, 'post', `/applications/${app.name}/rotate_secret`);
    const res = await quidAccess(app.name, refresh);
    await expect(jwtVerify(res.body.token, key(rotated.body.secret))).resolves.toBeDefined();
    expect(decodeProtectedHeader(res.body.token).kid).toBe('v2');
  });

  it('reflects group and org changes on the next access token', async () => {
    const { app, user } = await setup();
    const refresh = await refreshTokenFor(app.name, user);
    await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'editors' });
    await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, { groups: ['editors'] });
    expect(claimsOf((await quidAccess(app.name, refresh)).body.token).groups).toEqual(['editors']);
    await admin(ctx.app, 'delete', `/${app.name}/groups/editors`);
    expect(claimsOf((await quidAccess(app.name, refresh)).body.token).groups).toEqual([]);
  });

  it("accepts /:app/login's refresh_token", async () => {
    const { app, user } = await setup();
    const res = await login(ctx.app, app.name, user.username, user.password);
    expect((await quidAccess(app.name, res.body.refresh_token)).status).toBe(200);
  });
});

describe('POST /:app/refresh (rotating)', () => {
  async function loggedIn() {
    const { app, user } = await setup();
    const res = await login(ctx.app, app.name, user.username, user.password);
    return { app, user, refresh: res.body.refresh_token as string };
  }

  it('spends the token and returns a successor of the same family with an access token', async () => {
    const { app, user, refresh } = await loggedIn();
    const res = await rotate(app.name, refresh);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), refresh_token: expect.any(String), expires_in: 900 });
    expect((await jwtVerify(res.body.token, key(app.secret))).payload.id).toBe(user.uid);
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    const sessions = await ctx.models.Session.findAll({ where: { userId: row?.id }, order: [['id', 'ASC']] });
    expect(sessions).toHaveLength(2);
    expect(sessions[0].usedAt).not.toBeNull();
    expect(sessions[1].usedAt).toBeNull();
    expect(sessions[1].familyId).toBe(sessions[0].familyId);
    expect((await rotate(app.name, res.body.refresh_token)).status).toBe(200);
  });

  it('audits a refused rotation but not a routine one (a session renews every few minutes)', async () => {
    const { app, refresh } = await loggedIn();
    expect((await rotate(app.name, refresh)).status).toBe(200);
    expect((await rotate(app.name, 'not-a-token')).status).toBe(401);
    const rows = await ctx.models.AuditEntry.findAll({ where: { app: app.name, action: 'refresh' } });
    expect(rows.map((row) => row.outcome)).toEqual(['failure']);
  });

  it('lets two refreshes inside the grace both succeed', async () => {
    const { app, refresh } = await loggedIn();
    const [a, b] = await Promise.all([rotate(app.name, refresh), rotate(app.name, refresh)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await rotate(app.name, a.body.refresh_token)).status).toBe(200);
    expect((await rotate(app.name, b.body.refresh_token)).status).toBe(200);
  });

  it('revokes the whole family when a spent token comes back after the grace', async () => {
    const { app, user, refresh } = await loggedIn();
    const next = await rotate(app.name, refresh);
    ctx.clock.advance(ctx.config.refreshReuseGrace + 1);
    const reused = await rotate(app.name, refresh);
    expect(reused.status).toBe(401);
    expect(reused.body.error).toBe('refresh_token_reused');
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    expect(await ctx.models.Session.count({ where: { userId: row?.id, revokedAt: null } })).toBe(0);
    expect((await rotate(app.name, next.body.refresh_token)).status).toBe(401);
    expect((await quidAccess(app.name, next.body.refresh_token)).status).toBe(401);
  });

  it('records a reuse after the grace in the audit log as refresh.reuse, with its application and user', async () => {
    const { app, user, refresh } = await loggedIn();
    await rotate(app.name, refresh);
    ctx.clock.advance(ctx.config.refreshReuseGrace + 1);
    expect((await quidAccess(app.name, refresh)).status).toBe(401);

    const rows = await ctx.models.AuditEntry.findAll({ where: { app: app.name, action: 'refresh.reuse' } });

    expect(rows.map((r) => [r.actor, r.target, r.outcome])).toEqual([[user.username, user.username, 'failure']]);
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    const family = await ctx.models.Session.findOne({ where: { userId: row?.id } });
    expect(JSON.parse(rows[0].detail ?? '{}')).toEqual({ session: family?.familyId });
  });

  it("refuses another application's token and a missing token", async () => {
    const first = await loggedIn();
    const second = await loggedIn();
    expect((await rotate(second.app.name, first.refresh)).status).toBe(401);
    const missing = await request(ctx.app).post(`/${first.app.name}/refresh`).send({});
    expect(missing.status).toBe(400);
  });
});

describe('purgeSessions', () => {
  it('deletes expired sessions and sessions revoked over an hour ago, keeping live ones', async () => {
    const { app, user } = await setup();
    const live = await refreshTokenFor(app.name, user);
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    const now = ctx.clock.now();
    const base = { familyId: 'f', userId: row?.id ?? 0, usedAt: null };
    await ctx.models.Session.bulkCreate([
      { ...base, tokenHash: 'a'.repeat(64), expiresAt: new Date(now.getTime() - 1000), revokedAt: null },
      {
        ...base,
        tokenHash: 'b'.repeat(64),
        expiresAt: new Date(now.getTime() + 1e6),
        revokedAt: new Date(now.getTime() - 3601_000),
      },
      {
        ...base,
        tokenHash: 'c'.repeat(64),
        expiresAt: new Date(now.getTime() + 1e6),
        revokedAt: new Date(now.getTime() - 60_000),
      },
    ]);
    expect(await purgeSessions(now, ctx.deps)).toBeGreaterThanOrEqual(2);
    const left = await ctx.models.Session.findAll({ where: { userId: row?.id } });
    expect(left.map((s) => s.tokenHash).sort()).toEqual(expect.arrayContaining(['c'.repeat(64)]));
    expect(left.some((s) => s.tokenHash === 'a'.repeat(64) || s.tokenHash === 'b'.repeat(64))).toBe(false);
    expect((await quidAccess(app.name, live)).status).toBe(200);
  });
});

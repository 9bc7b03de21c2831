import request from 'supertest';
import { z } from 'zod';
import { sessionSchema } from '../../src/schemas/responses.schema';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';

// a user's sessions (one per refresh family), listed and revoked one at a time.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ trustProxy: true, loginMaxFailures: 1000, loginMaxFailuresPerIp: 1_000_000 });
});
afterAll(async () => ctx.close());

const loginFrom = (appName: string, user: { username: string; password: string }, ip: string, agent: string) =>
  request(ctx.app)
    .post(`/${appName}/login`)
    .set('X-Forwarded-For', ip)
    .set('User-Agent', agent)
    .send({ username: user.username, password: user.password });
const rotate = (appName: string, refresh_token: string, ip = '192.0.2.200') =>
  request(ctx.app).post(`/${appName}/refresh`).set('X-Forwarded-For', ip).send({ refresh_token });
const access = (namespace: string, refresh_token: string) =>
  request(ctx.app).post('/token/access').send({ namespace, refresh_token });
const listOf = async (appName: string, username: string) => {
  const res = await admin(ctx.app, 'get', `/${appName}/users/${username}/sessions`);
  expect(res.status).toBe(200);
  return z.array(sessionSchema.strict()).parse(res.body);
};

async function twoLogins() {
  const app = await createApplication(ctx.app);
  const user = await createUser(ctx.app, app.name);
  const laptop = await loginFrom(app.name, user, '198.51.100.1', 'Laptop/1.0');
  ctx.clock.advance(5);
  const phone = await loginFrom(app.name, user, '198.51.100.2', 'Phone/2.0');
  return { app, user, laptop: laptop.body.refresh_token as string, phone: phone.body.refresh_token as string };
}

describe('GET /:app/users/:username/sessions', () => {
  it('lists one entry per login, newest first, with where it came from', async () => {
    const { app, user } = await twoLogins();

    const sessions = await listOf(app.name, user.username);

    expect(sessions.map((s) => [s.ip, s.user_agent])).toEqual([
      ['198.51.100.2', 'Phone/2.0'],
      ['198.51.100.1', 'Laptop/1.0'],
    ]);
    expect(new Date(sessions[0].expires_at).getTime()).toBeGreaterThan(Date.now());
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    const families = new Set((await ctx.models.Session.findAll({ where: { userId: row?.id } })).map((s) => s.familyId));
    expect(new Set(sessions.map((s) => s.id))).toEqual(families);
  });

  it('keeps one entry for a family through rotations and access tokens, with its latest use and address', async () => {
    const { app, user, laptop } = await twoLogins();
    const [before] = (await listOf(app.name, user.username)).filter((s) => s.user_agent === 'Laptop/1.0');
    ctx.clock.advance(120);
    const rotated = await rotate(app.name, laptop, '203.0.113.77');
    ctx.clock.advance(120);
    expect((await access(app.name, rotated.body.refresh_token)).status).toBe(200);

    const sessions = await listOf(app.name, user.username);

    expect(sessions).toHaveLength(2);
    const after = sessions.find((s) => s.id === before.id);
    expect(after?.ip).toBe('203.0.113.77');
    expect(after?.created_at).toBe(before.created_at);
    expect(after?.last_used_at).toBe(ctx.clock.now().toISOString());
  });

  it('answers 404 for an unknown user, and an empty list once every session is revoked', async () => {
    const { app, user } = await twoLogins();
    expect((await admin(ctx.app, 'get', `/${app.name}/users/nobody/sessions`)).status).toBe(404);
    expect((await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`)).status).toBe(204);
    expect(await listOf(app.name, user.username)).toEqual([]);
  });
});

describe('DELETE /:app/users/:username/sessions/:id', () => {
  it('ends that one family at once, on every path, and leaves the others alone', async () => {
    const { app, user, laptop, phone } = await twoLogins();
    const target = (await listOf(app.name, user.username)).find((s) => s.user_agent === 'Laptop/1.0');

    const res = await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions/${target?.id}`);

    expect(res.status).toBe(204);
    expect((await access(app.name, laptop)).status).toBe(401);
    expect((await rotate(app.name, laptop)).status).toBe(401);
    expect((await access(app.name, phone)).status).toBe(200);
    expect((await listOf(app.name, user.username)).map((s) => s.user_agent)).toEqual(['Phone/2.0']);
    expect(await ctx.models.Session.count({ where: { familyId: target?.id, revokedAt: null } })).toBe(0);
    const audit = await ctx.models.AuditEntry.findOne({ where: { action: 'user.revoke_session', app: app.name } });
    expect(audit?.target).toBe(user.username);
  });

  it('answers 404 for an unknown or already revoked session, and for another user’s', async () => {
    const { app, user } = await twoLogins();
    const other = await createUser(ctx.app, app.name);
    const [first] = await listOf(app.name, user.username);
    const path = (username: string, id: string) => `/${app.name}/users/${username}/sessions/${id}`;

    expect((await admin(ctx.app, 'delete', path(user.username, 'no-such-session'))).status).toBe(404);
    expect((await admin(ctx.app, 'delete', path(other.username, first.id))).status).toBe(404);
    expect((await admin(ctx.app, 'delete', path(user.username, first.id))).status).toBe(204);
    expect((await admin(ctx.app, 'delete', path(user.username, first.id))).status).toBe(404);
  });

  it('is final for renewals in flight: 15 concurrent rotations of the family leave no live successor', async () => {
    for (let round = 0; round < 10; round++) {
      const { app, user, laptop } = await twoLogins();
      const target = (await listOf(app.name, user.username)).find((s) => s.user_agent === 'Laptop/1.0');
      // Successive rotations of one family: each renewal spends the last token and makes the next.
      const inFlight = Array.from({ length: 15 }, () => rotate(app.name, laptop).then((res) => res));
      await new Promise((resolve) => setTimeout(resolve, 3 * round));
      const revoked = await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions/${target?.id}`);
      const renewals = await Promise.all(inFlight);

      expect([204, 404]).toContain(revoked.status);
      expect(await ctx.models.Session.count({ where: { familyId: target?.id, revokedAt: null } })).toBe(0);
      for (const res of renewals.filter((r) => r.status === 200)) {
        expect((await access(app.name, res.body.refresh_token)).status).toBe(401);
      }
    }
  }, 120_000);
});

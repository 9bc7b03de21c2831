import request from 'supertest';
import { pruneAudit } from '../../src/services/audit.service';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { GOOD_PASSWORD, createApplication, createUser, login } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

const rowsFor = (app: string) => ctx.models.AuditEntry.findAll({ where: { app }, order: [['id', 'ASC']] });

describe('audit log: what is recorded', () => {
  it('records every admin change with actor, action, app, target and outcome, never a password or secret', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const newPassword = 'another-horse-battery-9';
    await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, { password: newPassword }).expect(200);
    await admin(ctx.app, 'post', `/applications/${app.name}/rotate_secret`, {}).expect(200);
    await admin(ctx.app, 'get', `/${app.name}/users`).expect(200);
    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}`).expect(204);

    const rows = await rowsFor(app.name);

    expect(rows.map((r) => [r.action, r.actor, r.target, r.outcome])).toEqual([
      ['application.create', 'signed_request', app.name, 'success'],
      ['user.create', 'signed_request', user.username, 'success'],
      ['user.update', 'signed_request', user.username, 'success'],
      ['application.rotate_secret', 'signed_request', app.name, 'success'],
      ['user.delete', 'signed_request', user.username, 'success'],
    ]);
    expect(JSON.parse(rows[2].detail ?? '{}')).toEqual({ status: 200, fields: ['password'] });
    expect(rows[0].ip).toMatch(/127\.0\.0\.1|::1/);
    const everything = JSON.stringify(rows.map((r) => r.toJSON()));
    for (const secret of [GOOD_PASSWORD, newPassword, app.secret]) expect(everything).not.toContain(secret);
  });

  it('records a change refused by validation with its action, application and target', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, { password: 'x' }).expect(400);
    await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'bad name' }).expect(400);
    const rows = await rowsFor(app.name);
    expect(rows.slice(-2).map((r) => [r.action, r.target, r.outcome])).toEqual([
      ['user.update', user.username, 'failure'],
      ['group.create', 'bad name', 'failure'],
    ]);
  });

  it('records a refused admin change as a failure by an anonymous actor', async () => {
    const res = await request(ctx.app).delete('/applications/refused-app').set('auth', 'jwt not-a-token');
    expect(res.status).toBe(401);
    const row = await ctx.models.AuditEntry.findOne({ where: { action: 'application.delete', app: 'refused-app' } });
    expect(row).toMatchObject({ actor: 'anonymous', outcome: 'failure', target: 'refused-app' });
    expect(JSON.parse(row?.detail ?? '{}')).toEqual({ status: 401, fields: [] });
    expect(row?.detail).not.toContain('not-a-token');
  });

  it('records every login attempt, success and failure, with IP and user agent', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    await login(ctx.app, app.name, user.username, 'wrong-password').set('User-Agent', 'audit-test/1').expect(401);
    await login(ctx.app, app.name, user.username, user.password).set('User-Agent', 'audit-test/1').expect(200);

    const rows = await ctx.models.AuditEntry.findAll({
      where: { app: app.name, action: 'login' },
      order: [['id', 'ASC']],
    });

    expect(rows.map((r) => [r.actor, r.target, r.outcome, r.userAgent])).toEqual([
      [user.username, user.username, 'failure', 'audit-test/1'],
      [user.username, user.username, 'success', 'audit-test/1'],
    ]);
    expect(JSON.parse(rows[0].detail ?? '{}')).toEqual({ reason: 'invalid_credentials' });
    expect(JSON.stringify(rows.map((r) => r.toJSON()))).not.toContain('wrong-password');
  });
});

describe('GET /audit', () => {
  it('needs an admin credential', async () => {
    expect((await request(ctx.app).get('/audit')).status).toBe(401);
  });

  it('lists newest first, filters by app, action and since, pages with X-Total-Count', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    ctx.clock.advance(60);
    const since = ctx.clock.now().toISOString();
    ctx.clock.advance(1);
    for (let i = 0; i < 3; i++) await login(ctx.app, app.name, user.username, 'wrong-password');
    await login(ctx.app, app.name, user.username, user.password);

    const all = await admin(ctx.app, 'get', `/audit?app=${app.name}`).expect(200);
    expect(all.headers['x-total-count']).toBe('6');
    expect(all.body.map((e: { action: string }) => e.action)).toEqual([
      'login',
      'login',
      'login',
      'login',
      'user.create',
      'application.create',
    ]);
    expect(all.body[0]).toEqual({
      at: expect.any(String),
      actor: user.username,
      action: 'login',
      app: app.name,
      target: user.username,
      ip: expect.any(String),
      user_agent: null,
      outcome: 'success',
      detail: null,
    });

    const recent = await admin(ctx.app, 'get', `/audit?app=${app.name}&since=${encodeURIComponent(since)}`);
    expect(recent.headers['x-total-count']).toBe('4');
    const page = await admin(ctx.app, 'get', `/audit?app=${app.name}&action=login&limit=2&offset=1`);
    expect(page.headers['x-total-count']).toBe('4');
    expect(page.body.map((e: { outcome: string }) => e.outcome)).toEqual(['failure', 'failure']);
  });

  it('refuses a since that is not an ISO time', async () => {
    const res = await admin(ctx.app, 'get', '/audit?since=yesterday');
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('since');
  });
});

describe('retention', () => {
  it('prunes entries older than AUDIT_RETENTION and keeps the rest', async () => {
    const app = await createApplication(ctx.app);
    ctx.clock.advance(ctx.config.auditRetention - 10);
    await admin(ctx.app, 'delete', `/applications/${app.name}`).expect(204);
    ctx.clock.advance(20);

    const removed = await pruneAudit(ctx.deps);

    expect(removed).toBeGreaterThanOrEqual(1);
    expect((await rowsFor(app.name)).map((r) => r.action)).toEqual(['application.delete']);
  });
});

describe('audit log: reading a secret', () => {
  it('when a secret is read with ?include_secret=true, then the read is recorded like a change, without the secret', async () => {
    const app = await createApplication(ctx.app);

    const read = await admin(ctx.app, 'get', `/applications/${app.name}?include_secret=true`).expect(200);
    await admin(ctx.app, 'get', `/applications/${app.name}`).expect(200);
    await admin(ctx.app, 'get', `/applications/${app.name}?include_secret=false`).expect(200);
    const refused = await request(ctx.app)
      .get(`/applications/${app.name}?include_secret=true`)
      .set('auth', 'jwt not-a-token');

    expect(read.body.secret).toBe(app.secret);
    expect(refused.status).toBe(401);
    const rows = await ctx.models.AuditEntry.findAll({
      where: { app: app.name, action: 'application.read_secret' },
      order: [['id', 'ASC']],
    });
    expect(rows.map((r) => [r.actor, r.target, r.outcome])).toEqual([
      ['signed_request', app.name, 'success'],
      ['anonymous', app.name, 'failure'],
    ]);
    expect(JSON.stringify(rows.map((r) => r.toJSON()))).not.toContain(app.secret);
    const listed = await admin(ctx.app, 'get', `/audit?app=${app.name}&action=application.read_secret`);
    expect(listed.headers['x-total-count']).toBe('2');
  });
});

describe('audit log: paths that do not name a route', () => {
  it('when an admin path is not valid percent-encoding, then a JSON 4xx, no stack printed, nothing changed', async () => {
    const app = await createApplication(ctx.app);
    const printed = jest.spyOn(process.stderr, 'write');
    const logged = jest.spyOn(console, 'error');

    const answers = await Promise.all([
      admin(ctx.app, 'delete', '/applications/%E0%A4%A'),
      admin(ctx.app, 'patch', `/${app.name}/users/%ZZ`, { role: 'x' }),
      request(ctx.app).delete('/applications/%E0%A4%A'),
    ]);

    for (const res of answers) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(JSON.stringify(res.body)).not.toMatch(/URIError|at .+:\d+/);
    }
    expect(printed.mock.calls.join('')).not.toMatch(/URIError|at .+:\d+/);
    expect(logged).not.toHaveBeenCalled();
    printed.mockRestore();
    logged.mockRestore();
    expect(await ctx.models.Application.count({ where: { name: app.name } })).toBe(1);
  });

  it('when a change spells the path in another case, then it changes nothing, and /audit?app= shows every change', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);

    const dodges = await Promise.all([
      admin(ctx.app, 'patch', `/Applications/${app.name}`, { access_ttl: '1m' }),
      admin(ctx.app, 'post', `/APPLICATIONS/${app.name}/rotate_secret`, {}),
      admin(ctx.app, 'patch', `/${app.name}/Users/${user.username}`, { role: 'root' }),
      admin(ctx.app, 'delete', `/Users/${user.uid}`),
      admin(ctx.app, 'post', `/${app.name}/GROUPS`, { name: 'sneaky' }),
    ]);
    await admin(ctx.app, 'patch', `/applications/${app.name}`, { access_ttl: '2m' }).expect(200);

    for (const res of dodges) expect(res.status).toBe(404);
    const stored = await ctx.models.Application.findOne({ where: { name: app.name } });
    expect([stored?.accessTtl, stored?.secretVersion]).toEqual([120, 1]);
    expect((await ctx.models.User.findOne({ where: { uid: user.uid } }))?.role).toBe('user');
    const audit = await admin(ctx.app, 'get', `/audit?app=${app.name}`).expect(200);
    expect(audit.body.map((e: { action: string }) => e.action)).toEqual([
      'application.update',
      'user.create',
      'application.create',
    ]);
  });
});

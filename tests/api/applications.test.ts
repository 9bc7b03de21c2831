import request from 'supertest';
import { openApplicationSecret } from '../../src/crypto/secret-box';
import { admin, adminToken, createTestContext, SECRET_KEY, type TestContext } from '../helpers/context';
import { createApplication, createUser, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe('POST /applications', () => {
  it('creates an application with a generated 32-byte secret and Quid defaults, shown once', async () => {
    const name = uniqueName('app');
    const res = await admin(ctx.app, 'post', '/applications', { name });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name,
      access_ttl: '15m',
      access_ttl_max: '20m',
      refresh_ttl_max: '1d',
      cors_origins: [],
      audience: null,
      secret_version: 1,
    });
    expect(res.body.secret).toMatch(/^[0-9a-f]{64}$/);
    const row = await ctx.models.Application.findOne({ where: { name } });
    expect(openApplicationSecret(row?.secret as string, SECRET_KEY)).toBe(res.body.secret);
    const refreshSecret = openApplicationSecret(row?.refreshSecret as string, SECRET_KEY);
    expect(refreshSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(refreshSecret).not.toBe(res.body.secret);
  });

  it('keeps a given secret and lifetimes', async () => {
    const secret = 'x'.repeat(40);
    const body = {
      name: uniqueName('app'),
      secret,
      access_ttl: '5m',
      access_ttl_max: '10m',
      refresh_ttl_max: '7d',
      cors_origins: ['https://app.example.com'],
      audience: 'my-api',
    };
    const res = await admin(ctx.app, 'post', '/applications', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ...body, refresh_ttl_max: '7d' });
    expect((await ctx.models.Application.findOne({ where: { name: body.name } }))?.accessTtl).toBe(300);
  });

  it('refuses a secret shorter than 32 bytes with 400 and stores nothing', async () => {
    const name = uniqueName('app');
    const res = await admin(ctx.app, 'post', '/applications', { name, secret: 'nananana' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'secret' })]);
    expect(await ctx.models.Application.count({ where: { name } })).toBe(0);
  });

  it.each([['Upper'], ['-dash'], ['applications'], ['users'], ['a'.repeat(64)], ['sp ace']])(
    'refuses the name %s',
    async (name) => {
      const res = await admin(ctx.app, 'post', '/applications', { name });
      expect(res.status).toBe(400);
      expect(res.body.details[0].field).toBe('name');
    },
  );

  it('answers 409 when the name exists', async () => {
    const existing = await createApplication(ctx.app);
    const res = await admin(ctx.app, 'post', '/applications', { name: existing.name });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('application_name_taken');
    expect(await ctx.models.Application.count({ where: { name: existing.name } })).toBe(1);
  });

  it('refuses access_ttl above access_ttl_max, bad durations and unknown fields', async () => {
    const over = await admin(ctx.app, 'post', '/applications', { name: uniqueName('app'), access_ttl: '30m' });
    expect(over.status).toBe(400);
    expect(over.body.details[0].field).toBe('access_ttl');
    const bad = await admin(ctx.app, 'post', '/applications', { name: uniqueName('app'), refresh_ttl_max: '1 day' });
    expect(bad.body.details[0].field).toBe('refresh_ttl_max');
    const unknown = await admin(ctx.app, 'post', '/applications', { name: uniqueName('app'), colour: 'red' });
    expect(unknown.status).toBe(400);
  });
});

describe('GET /applications', () => {
  it('lists applications without secrets, with X-Total-Count, limit and offset', async () => {
    await createApplication(ctx.app);
    await createApplication(ctx.app);
    const all = await admin(ctx.app, 'get', '/applications');
    expect(all.status).toBe(200);
    expect(Number(all.headers['x-total-count'])).toBe(await ctx.models.Application.count());
    for (const app of all.body) expect(app).not.toHaveProperty('secret');
    const page = await admin(ctx.app, 'get', '/applications?limit=1&offset=1');
    expect(page.body).toHaveLength(1);
    expect(page.body[0].name).toBe(all.body[1].name);
    expect((await admin(ctx.app, 'get', '/applications?limit=1001')).status).toBe(400);
  });
});

describe('GET /applications/:name', () => {
  it('shows the secret only when asked', async () => {
    const created = await createApplication(ctx.app);
    const plain = await admin(ctx.app, 'get', `/applications/${created.name}`);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('secret');
    const withSecret = await admin(ctx.app, 'get', `/applications/${created.name}?include_secret=true`);
    expect(withSecret.body.secret).toBe(created.secret);
  });

  it('answers 404 for an unknown application', async () => {
    const res = await admin(ctx.app, 'get', '/applications/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('application_not_found');
  });
});

describe('PATCH /applications/:name', () => {
  it('changes lifetimes, CORS origins and audience', async () => {
    const created = await createApplication(ctx.app);
    const res = await admin(ctx.app, 'patch', `/applications/${created.name}`, {
      access_ttl: '2m',
      cors_origins: ['http://localhost:3000'],
      audience: 'api',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ access_ttl: '2m', cors_origins: ['http://localhost:3000'], audience: 'api' });
    const row = await ctx.models.Application.findOne({ where: { name: created.name } });
    expect(row?.accessTtl).toBe(120);
  });

  it('renames, and answers 409 when the new name is taken', async () => {
    const a = await createApplication(ctx.app);
    const b = await createApplication(ctx.app);
    expect((await admin(ctx.app, 'patch', `/applications/${a.name}`, { name: b.name })).status).toBe(409);
    const renamed = uniqueName('renamed');
    expect((await admin(ctx.app, 'patch', `/applications/${a.name}`, { name: renamed })).body.name).toBe(renamed);
    expect(await ctx.models.Application.count({ where: { name: renamed } })).toBe(1);
  });

  it('refuses invalid origins', async () => {
    const created = await createApplication(ctx.app);
    const res = await admin(ctx.app, 'patch', `/applications/${created.name}`, { cors_origins: ['*'] });
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('cors_origins.0');
  });
});

describe('POST /applications/:name/rotate_secret', () => {
  it('returns a new secret, bumps the version and keeps the old one for the grace period', async () => {
    const created = await createApplication(ctx.app);
    const res = await admin(ctx.app, 'post', `/applications/${created.name}/rotate_secret`, { grace: '1h' });
    expect(res.status).toBe(200);
    expect(res.body.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.secret).not.toBe(created.secret);
    expect(res.body.secret_version).toBe(2);
    const row = await ctx.models.Application.findOne({ where: { name: created.name } });
    expect(openApplicationSecret(row?.previousSecret as string, SECRET_KEY)).toBe(created.secret);
    expect(row?.previousSecretExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('drops the old secret at once without grace', async () => {
    const created = await createApplication(ctx.app);
    await admin(ctx.app, 'post', `/applications/${created.name}/rotate_secret`);
    const row = await ctx.models.Application.findOne({ where: { name: created.name } });
    expect(row?.previousSecret).toBeNull();
  });
});

describe('DELETE /applications/:name', () => {
  it('deletes the application with its users', async () => {
    const created = await createApplication(ctx.app);
    await createUser(ctx.app, created.name);
    const row = await ctx.models.Application.findOne({ where: { name: created.name } });
    const res = await admin(ctx.app, 'delete', `/applications/${created.name}`);
    expect(res.status).toBe(204);
    expect(await ctx.models.Application.count({ where: { name: created.name } })).toBe(0);
    expect(await ctx.models.User.count({ where: { applicationId: row?.id ?? -1 } })).toBe(0);
    expect((await admin(ctx.app, 'delete', `/applications/${created.name}`)).status).toBe(404);
  });
});

describe('admin routes without a valid credential', () => {
  it('answer 401 and change nothing', async () => {
    const name = uniqueName('app');
    const noAuth = await request(ctx.app).post('/applications').send({ name });
    expect(noAuth.status).toBe(401);
    expect(noAuth.body.error).toBe('unauthorized');
    const wrongPassword = await request(ctx.app)
      .post('/applications')
      .set('auth', `jwt ${adminToken({ data: { name }, password: 'not-the-master-password' })}`);
    expect(wrongPassword.status).toBe(401);
    expect(await ctx.models.Application.count({ where: { name } })).toBe(0);
  });
});

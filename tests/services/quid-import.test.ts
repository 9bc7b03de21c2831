import request from 'supertest';
import { verifyToken } from '../../src/crypto/jwt';
import { openApplicationSecret } from '../../src/crypto/secret-box';
import { importQuid } from '../../src/services/import/quid-import.service';
import { createTestContext, SECRET_KEY, type TestContext } from '../helpers/context';
import { login } from '../helpers/factories';
import { createQuidFixture, quidAccessToken, type QuidFixture } from '../helpers/quid-fixture';

let ctx: TestContext;
let quid: QuidFixture;

beforeAll(async () => {
  ctx = await createTestContext();
  quid = await createQuidFixture(
    [
      {
        name: 'quid',
        groups: ['quid_admin'],
        users: [
          { username: 'root', password: 'quid-admin-pass-1', groups: ['quid_admin'] },
          { username: 'former', password: 'quid-admin-pass-2', groups: ['quid_admin'], disabled: true },
          { username: 'helper', password: 'quid-helper-pass-3' },
        ],
      },
      {
        name: 'shop',
        maxTokenTtl: '20m',
        maxRefreshTokenTtl: '24h',
        groups: ['staff', 'customers'],
        users: [
          { username: 'alice', password: 'alice-old-password', groups: ['staff'], orgs: ['acme'] },
          { username: 'bob', password: 'bob-old-password', disabled: true, groups: ['customers'] },
        ],
      },
      {
        name: 'blog',
        maxTokenTtl: '10m',
        maxRefreshTokenTtl: '72h',
        groups: ['editors'],
        users: [{ username: 'carol', password: 'carol-old-password', groups: ['editors'], orgs: ['acme', 'globex'] }],
      },
    ],
    ['acme', 'globex'],
  );
});

afterAll(async () => {
  await quid.drop();
  await ctx.close();
});

const counts = async () => ({
  applications: await ctx.models.Application.count(),
  users: await ctx.models.User.count(),
  groups: await ctx.models.Group.count(),
  orgs: await ctx.models.Org.count(),
  admins: await ctx.models.AdminAccount.count(),
});
const EMPTY = { applications: 0, users: 0, groups: 0, orgs: 0, admins: 0 };

describe('jawth import quid', () => {
  it('when the Quid key is wrong, then it fails clearly before writing anything', async () => {
    const wrongKey = 'ab'.repeat(32);
    await expect(importQuid(ctx.deps, { from: quid.url, quidKey: wrongKey })).rejects.toThrow(
      /--quid-key does not decrypt the keys of 3 of 3 namespaces/,
    );
    await expect(importQuid(ctx.deps, { from: quid.url, quidKey: 'not-hex' })).rejects.toThrow(/64 hex/);
    expect(await counts()).toEqual(EMPTY);
  });

  it("when --from is a database that is not Quid's, then it says so, naming the missing tables, and writes nothing", async () => {
    const notQuid = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
    const refused = importQuid(ctx.deps, { from: notQuid, quidKey: quid.quidKey });
    await expect(refused).rejects.toThrow(/is not a Quid database: it has no "namespace", "usertable", .* table/);
    await expect(refused).rejects.toThrow(/Pass --from the database of Quid's config\.json/);
    expect(await counts()).toEqual(EMPTY);
  });

  it('when run with --dry-run, then it reports what it would create and writes nothing', async () => {
    const report = await importQuid(ctx.deps, { from: quid.url, quidKey: quid.quidKey, dryRun: true });
    expect(report.dry_run).toBe(true);
    expect(report.applications.map((a) => [a.name, a.status, a.users, a.groups])).toEqual([
      ['shop', 'would_create', 2, 2],
      ['blog', 'would_create', 1, 1],
    ]);
    expect(report.orgs.created).toEqual(['acme', 'globex']);
    expect(report.admins).toEqual([{ username: 'root', status: 'would_create' }]);
    expect(report.applications[0]).not.toHaveProperty('secret');
    expect(await counts()).toEqual(EMPTY);
  });

  it('imports every namespace but quid as an application, with lifetimes, users, groups and orgs', async () => {
    const report = await importQuid(ctx.deps, { from: quid.url, quidKey: quid.quidKey });
    expect(report.applications.map((a) => [a.name, a.status])).toEqual([
      ['shop', 'created'],
      ['blog', 'created'],
    ]);
    expect(await counts()).toEqual({ applications: 2, users: 3, groups: 3, orgs: 2, admins: 1 });
    const shop = await ctx.models.Application.findOne({ where: { name: 'shop' } });
    expect(shop).toMatchObject({ accessTtl: 900, accessTtlMax: 1200 });
    // Sealed with jawth's SECRET_KEY, as every application secret is stored.
    expect(shop?.secret).not.toContain(quid.keys.get('shop')?.key as string);
    expect(openApplicationSecret(shop?.secret as string, SECRET_KEY)).toBe(quid.keys.get('shop')?.key);
    expect(openApplicationSecret(shop?.refreshSecret as string, SECRET_KEY)).toBe(quid.keys.get('shop')?.refreshKey);
    expect(shop?.refreshTtlMax).toBe(86400);
    const blog = await ctx.models.Application.findOne({ where: { name: 'blog' } });
    expect(blog).toMatchObject({ accessTtl: 600, accessTtlMax: 600, refreshTtlMax: 72 * 3600 });
    expect(await ctx.models.Application.count({ where: { name: 'quid' } })).toBe(0);
    expect(report.admins).toEqual([{ username: 'root', status: 'created' }]);
    expect(report.skipped_users).toEqual([{ app: 'quid', username: 'former', reason: 'disabled Quid admin' }]);
  });

  it('when a quid_admin member signs in to the console with the old password, then jawth accepts it', async () => {
    const res = await request(ctx.app).post('/admin/login').send({ username: 'root', password: 'quid-admin-pass-1' });
    expect(res.status).toBe(200);
    expect(typeof res.body.token).toBe('string');
    expect(await ctx.models.AdminAccount.count({ where: { username: ['former', 'helper'] } })).toBe(0);
  });

  it('when a Quid user logs in with the old password, then the token carries groups and orgs', async () => {
    const res = await login(ctx.app, 'blog', 'carol', 'carol-old-password');
    expect(res.status).toBe(200);
    const claims = verifyToken(res.body.token, quid.keys.get('blog')?.key as string);
    expect(claims).toMatchObject({ username: 'carol', groups: ['editors'], orgs: ['acme', 'globex'], app: 'blog' });
    // The cost-10 hash is re-hashed at the test cost on this first login, as for any user.
    const carol = await ctx.models.User.findOne({ where: { username: 'carol' } });
    expect(carol?.passwordHash.startsWith('$2b$04$')).toBe(true);
  });

  it('when a Quid user asks Quid-style for refresh and access tokens, then both work', async () => {
    const refresh = await request(ctx.app)
      .post('/token/refresh/1h')
      .send({ namespace: 'shop', username: 'alice', password: 'alice-old-password' });
    expect(refresh.status).toBe(200);
    const access = await request(ctx.app)
      .post('/token/access/10m')
      .send({ namespace: 'shop', refresh_token: refresh.body.token });
    expect(access.status).toBe(200);
    const claims = verifyToken(access.body.token, quid.keys.get('shop')?.key as string);
    expect(claims).toMatchObject({ username: 'alice', groups: ['staff'], orgs: ['acme'] });
  });

  it('when a Quid user was disabled, then the imported user cannot log in', async () => {
    const res = await login(ctx.app, 'shop', 'bob', 'bob-old-password');
    expect(res.status).toBe(401);
    expect(await ctx.models.User.findOne({ where: { username: 'bob' } })).toMatchObject({ disabled: true });
  });

  it('when an access token was signed by Quid before the import, then it verifies with the imported secret', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = quidAccessToken(quid.keys.get('shop')?.key as string, {
      username: 'alice',
      groups: ['staff'],
      orgs: ['acme'],
      exp,
    });
    const shop = await ctx.models.Application.findOne({ where: { name: 'shop' } });
    expect(verifyToken(token, openApplicationSecret(shop?.secret as string, SECRET_KEY))).toMatchObject({
      username: 'alice',
      exp,
    });
  });

  it('when run again, then existing names are reported and skipped', async () => {
    const report = await importQuid(ctx.deps, { from: quid.url, quidKey: quid.quidKey });
    expect(report.applications.map((a) => [a.name, a.status])).toEqual([
      ['shop', 'skipped_existing'],
      ['blog', 'skipped_existing'],
    ]);
    expect(report.orgs).toEqual({ created: [], existing: ['acme', 'globex'] });
    expect(report.admins).toEqual([{ username: 'root', status: 'skipped_existing' }]);
    expect(await counts()).toEqual({ applications: 2, users: 3, groups: 3, orgs: 2, admins: 1 });
    // carol's re-hashed password is kept: a skipped application is not touched.
    expect((await ctx.models.User.findOne({ where: { username: 'carol' } }))?.passwordHash.startsWith('$2b$04$')).toBe(
      true,
    );
  });

  it('when run with --replace, then existing applications are replaced from Quid', async () => {
    const report = await importQuid(ctx.deps, { from: quid.url, quidKey: quid.quidKey, replace: true });
    expect(report.applications.map((a) => a.status)).toEqual(['replaced', 'replaced']);
    expect(await counts()).toEqual({ applications: 2, users: 3, groups: 3, orgs: 2, admins: 1 });
    expect((await ctx.models.User.findOne({ where: { username: 'carol' } }))?.passwordHash).toMatch(/^\$2[ab]\$10\$/);
    expect((await login(ctx.app, 'shop', 'alice', 'alice-old-password')).status).toBe(200);
  });
});

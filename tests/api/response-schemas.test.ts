import request from 'supertest';
import type { z } from 'zod';
import { auditEntrySchema } from '../../src/schemas/audit.schema';
import {
  adminSessionSchema,
  applicationSchema,
  errorSchema,
  groupSchema,
  loginResultSchema,
  orgSchema,
  sessionSchema,
  userSchema,
} from '../../src/schemas/responses.schema';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, login, uniqueName } from '../helpers/factories';

/**
 * The schemas in src/schemas/responses.schema.ts are the only declaration of what the API
 * answers (the serializers and the console take their types from them). These tests hold them
 * to real answers: `.strict()` fails on a field the schema does not declare, the parse on one it
 * lacks or of another type.
 */
let ctx: TestContext;
let appName: string;
let username: string;
let uid: string;

beforeAll(async () => {
  ctx = await createTestContext();
  appName = (await createApplication(ctx.app, { cors_origins: ['https://shop.example.com'] })).name;
  await admin(ctx.app, 'post', `/${appName}/groups`, { name: 'staff' });
  await admin(ctx.app, 'post', '/orgs', { name: uniqueName('org') });
  const user = await createUser(ctx.app, appName, { groups: ['staff'], email: `${uniqueName('u')}@example.com` });
  ({ username, uid } = user);
  expect((await login(ctx.app, appName, username, user.password)).status).toBe(200);
});
afterAll(async () => ctx.close());

type AnyObjectSchema = z.ZodObject<z.ZodRawShape>;

/** Each item of a list answer, strictly; an empty list would prove nothing. */
function expectList(body: unknown, schema: AnyObjectSchema): void {
  expect(Array.isArray(body)).toBe(true);
  const items = body as unknown[];
  expect(items.length).toBeGreaterThan(0);
  for (const item of items) expect(schema.strict().parse(item)).toEqual(item);
}

function expectOne(body: unknown, schema: AnyObjectSchema): void {
  expect(schema.strict().parse(body)).toEqual(body);
}

describe('every list and show answer matches its declared response schema exactly', () => {
  const lists: [string, () => string, AnyObjectSchema][] = [
    ['GET /applications', () => '/applications', applicationSchema],
    ['GET /users', () => '/users', userSchema],
    ['GET /:app/users', () => `/${appName}/users`, userSchema],
    ['GET /:app/users?q=', () => `/${appName}/users?q=${username.slice(0, 4)}`, userSchema],
    ['GET /:app/users/:username/sessions', () => `/${appName}/users/${username}/sessions`, sessionSchema],
    ['GET /:app/groups', () => `/${appName}/groups`, groupSchema],
    ['GET /:app/groups/:group/users', () => `/${appName}/groups/staff/users`, userSchema],
    ['GET /orgs', () => '/orgs', orgSchema],
    ['GET /audit', () => '/audit', auditEntrySchema],
  ];
  it.each(lists)('%s', async (_name, path, schema) => {
    const res = await admin(ctx.app, 'get', path());
    expect(res.status).toBe(200);
    expectList(res.body, schema);
  });

  it('GET /orgs/:org/users', async () => {
    const org = uniqueName('org');
    await admin(ctx.app, 'post', '/orgs', { name: org });
    await createUser(ctx.app, appName, { orgs: [org] });
    const res = await admin(ctx.app, 'get', `/orgs/${org}/users`);
    expect(res.status).toBe(200);
    expectList(res.body, userSchema);
  });

  it.each([
    ['GET /applications/:name', () => `/applications/${appName}`, false],
    ['GET /applications/:name?include_secret=true', () => `/applications/${appName}?include_secret=true`, true],
  ])('%s', async (_name, path, withSecret) => {
    const res = await admin(ctx.app, 'get', path());
    expect(res.status).toBe(200);
    expectOne(res.body, applicationSchema);
    expect('secret' in res.body).toBe(withSecret);
  });

  it('GET /users/:uid and GET /:app/users/:username', async () => {
    for (const path of [`/users/${uid}`, `/${appName}/users/${username}`]) {
      const res = await admin(ctx.app, 'get', path);
      expect(res.status).toBe(200);
      expectOne(res.body, userSchema);
    }
  });

  it('POST /:app/login and POST /admin/login', async () => {
    const user = await createUser(ctx.app, appName);
    const res = await login(ctx.app, appName, user.username, user.password);
    expect(res.status).toBe(200);
    expectOne(res.body, loginResultSchema);

    const adminName = uniqueName('admin');
    await ensureAdminAccount(adminName, GOOD_PASSWORD, ctx.config, ctx.deps);
    const session = await request(ctx.app).post('/admin/login').send({ username: adminName, password: GOOD_PASSWORD });
    expect(session.status).toBe(200);
    expectOne(session.body, adminSessionSchema);
  });

  it('a refusal (404 and 400 with details) matches the error schema', async () => {
    const missing = await admin(ctx.app, 'get', '/applications/no-such-app');
    expect(missing.status).toBe(404);
    expectOne(missing.body, errorSchema);
    const invalid = await admin(ctx.app, 'post', '/applications', { name: 'Not Valid!' });
    expect(invalid.status).toBe(400);
    expectOne(invalid.body, errorSchema);
  });

  it('a field the schema does not declare fails the strict parse (the check can fail)', () => {
    const extra = { name: 'x', app: 'y', created_at: '2026-01-01T00:00:00.000Z', members: 3 };
    expect(() => groupSchema.strict().parse(extra)).toThrow();
    expect(() => groupSchema.strict().parse({ name: 'x', app: 'y' })).toThrow();
  });
});

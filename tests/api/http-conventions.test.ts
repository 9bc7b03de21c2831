import request from 'supertest';
import { admin, adminToken, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ bodyLimit: 1024 });
});
afterAll(async () => ctx.close());

const noStack = (body: unknown) => expect(JSON.stringify(body)).not.toMatch(/at .+\.(ts|js):\d+|node_modules|Error:/);

describe('bad input', () => {
  it('answers a body over BODY_LIMIT with 413 payload_too_large, as JSON', async () => {
    const app = await createApplication(ctx.app);
    const res = await request(ctx.app)
      .post(`/${app.name}/login`)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ username: 'x', password: 'y'.repeat(2000) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
    noStack(res.body);
  });

  it.each([['{"username": "x",'], ['{username: x}'], ['"a string"'], ['42'], ['nul']])(
    'answers invalid JSON %s with 400 invalid_json',
    async (body) => {
      const res = await request(ctx.app).post('/some-app/login').set('content-type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_json');
      noStack(res.body);
    },
  );

  it('answers wrong types with 400 validation_failed and per-field details, storing nothing', async () => {
    const name = uniqueName('typed');
    const data = { name, access_ttl: 15, cors_origins: 'https://a.example', audience: 7 };
    const res = await request(ctx.app)
      .post('/applications')
      .set('auth', `jwt ${adminToken({ data })}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'access_ttl',
      'audience',
      'cors_origins',
    ]);
    expect(await ctx.models.Application.count({ where: { name } })).toBe(0);
  });

  it('answers an unknown route with 404 JSON', async () => {
    const res = await request(ctx.app).get('/no/such/route/here');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });

  it('answers an unsupported charset with 415 JSON', async () => {
    const res = await request(ctx.app)
      .post('/x/login')
      .set('content-type', 'application/json; charset=klingon')
      .send('{}');
    expect(res.status).toBe(415);
    expect(res.body.error).toBe('unsupported_media_type');
  });

  it('sends security headers and a request id, and no x-powered-by', async () => {
    const res = await request(ctx.app).get('/health');
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('reports readiness when the database answers', async () => {
    const res = await request(ctx.app).get('/ready');
    expect(res.status).toBe(200);
  });
});

describe('control characters in names and path segments', () => {
  // SQLite cut statements at a NUL (500, with the SQL in the log); PostgreSQL stored it as `\0`.
  let queries = 0;
  beforeAll(() => ctx.db.addHook('beforeQuery', 'count-queries', () => void queries++));
  afterAll(() => ctx.db.removeHook('beforeQuery', 'count-queries'));
  const INVALID = { error: 'invalid_credentials', message: 'The username or password is incorrect.' };

  it.each([
    ['a NUL in the application segment', '/demo%00/login', { username: 'alice', password: 'whatever-pw' }],
    ['an escape in the application segment', '/demo%1B/login', { username: 'alice', password: 'whatever-pw' }],
    ['an application segment against the name rule', '/Demo/login', { username: 'alice', password: 'whatever-pw' }],
    ['a NUL in the username', '/demo/login', { username: 'alice\u0000', password: 'whatever-pw' }],
    ['a line feed in the username', '/demo/login', { username: 'ali\nce', password: 'whatever-pw' }],
    ['a C1 control in the username', '/demo/login', { username: 'alice\u0085', password: 'whatever-pw' }],
    ['a NUL in the admin username', '/admin/login', { username: 'root\u0000', password: 'whatever-pw' }],
    ['a NUL in the namespace', '/token/refresh', { namespace: 'demo\u0000', username: 'a', password: 'whatever-pw' }],
    ['a NUL in the Quid username', '/token/refresh/1h', { namespace: 'demo', username: 'a\u0000', password: 'pw' }],
    ['a NUL in the ttl segment', '/token/refresh/1h%00', { namespace: 'demo', username: 'a', password: 'pw' }],
  ])('when a login carries %s, then 401 like an unknown user, before any query', async (_what, path, body) => {
    const before = queries;
    const res = await request(ctx.app).post(path).send(body);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID);
    expect(queries).toBe(before);
  });

  it.each([
    ['a NUL in the application segment', 'get', '/demo%00/users', undefined],
    ['a NUL in the search', 'get', '/demo/users?q=%00', undefined],
    ['a NUL in the application filter', 'get', '/users?app=demo%00', undefined],
    ['a NUL in a username segment', 'get', '/demo/users/alice%00', undefined],
    ['a NUL in the username', 'post', '/demo/users', { username: 'alice\u0000', password: 'correct-horse-battery-7' }],
    [
      'a tab in the role',
      'post',
      '/demo/users',
      { username: 'alice', password: 'correct-horse-battery-7', role: 'a\tb' },
    ],
    [
      'a NUL in a group name',
      'post',
      '/demo/users',
      { username: 'al', password: 'correct-horse-7', groups: ['g\u0000'] },
    ],
    ['a NUL in the application name', 'post', '/applications', { name: 'demo\u0000' }],
    ['a NUL in the audience', 'post', '/applications', { name: 'nul-audience', audience: 'api\u0000' }],
    ['a NUL in the audit filter', 'get', '/audit?action=login%00', undefined],
    ['a NUL in an org segment', 'delete', '/orgs/acme%00', undefined],
  ] as const)(
    'when an admin request carries %s, then 400 validation_failed, storing nothing',
    async (_w, method, path, data) => {
      const stored = async () => [await ctx.models.Application.count(), await ctx.models.User.count()];
      const before = await stored();
      const res = await admin(ctx.app, method, path, data);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation_failed', details: [expect.any(Object)] });
      noStack(res.body);
      expect(await stored()).toEqual(before);
    },
  );

  it('when the application segment of an admin path breaks the name rule, then 400 before any query', async () => {
    const before = queries;
    const res = await request(ctx.app).get('/Not_A_Name/users').set('auth', `jwt ${adminToken()}`);
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'app' })]);
    expect(queries).toBe(before);
  });

  it('when a name is refused, then neither the answer nor the log holds the SQL', async () => {
    const app = await createApplication(ctx.app);
    const res = await admin(ctx.app, 'post', `/${app.name}/users`, {
      username: 'alice\u0000',
      password: 'correct-horse-battery-7',
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/INSERT|SELECT/);
    expect(
      await ctx.models.User.count({
        where: { applicationId: (await ctx.models.Application.findOne({ where: { name: app.name } }))?.id },
      }),
    ).toBe(0);
  });
});

describe('a body that is not JSON', () => {
  it('on a login, a form or text body is refused 415 with "send JSON", and counts as no attempt', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const form = await request(ctx.app)
      .post(`/${app.name}/login`)
      .type('form')
      .send({ username: user.username, password: user.password });
    expect(form.status).toBe(415);
    expect(form.body).toEqual({
      error: 'unsupported_media_type',
      message: 'Send the body as JSON, with Content-Type: application/json (not application/x-www-form-urlencoded).',
    });
    const text = await request(ctx.app).post(`/${app.name}/login`).set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    expect(await ctx.models.AuditEntry.count({ where: { app: app.name, action: 'login' } })).toBe(0);
    // JSON still works, and quidjs's text/plain bodies on /token/* are still read as JSON.
    expect((await login(ctx.app, app.name, user.username, user.password)).status).toBe(200);
    const quid = await request(ctx.app)
      .post('/token/refresh')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ namespace: app.name, username: user.username, password: user.password }));
    expect(quid.status).toBe(200);
  });
});

describe('validation messages: one sentence naming each refused field', () => {
  it('says what is missing, mistyped or unknown, once', async () => {
    const app = await createApplication(ctx.app);
    const missing = await admin(ctx.app, 'post', `/${app.name}/users`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('The request is not valid: username is required; password is required.');
    expect(missing.body.details).toEqual([
      { field: 'username', message: 'is required' },
      { field: 'password', message: 'is required' },
    ]);
    const mistyped = await admin(ctx.app, 'post', `/${app.name}/users`, { username: 7, password: 'x', colour: 'red' });
    expect(mistyped.body.message).toBe(
      'The request is not valid: username must be text; colour is not a field of this request.',
    );
  });

  it('states the password policy and the lifetimes with their values', async () => {
    const app = await createApplication(ctx.app);
    const short = await admin(ctx.app, 'post', `/${app.name}/users`, { username: 'shorty', password: 'abc' });
    expect(short.body).toMatchObject({
      error: 'validation_failed',
      message: `The password must be at least ${ctx.config.passwordMinLength} characters.`,
    });
    const common = await admin(ctx.app, 'post', `/${app.name}/users`, { username: 'common', password: 'password123' });
    expect(common.body.message).toBe('This password is one of the most common ones; choose another.');
    const ttl = await admin(ctx.app, 'patch', `/applications/${app.name}`, { access_ttl: '2h', access_ttl_max: '1h' });
    expect(ttl.body.message).toBe('access_ttl (2h) may not exceed access_ttl_max (1h).');
  });
});

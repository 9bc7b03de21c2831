import request from 'supertest';
import { createLogger } from '../../src/logger';
import { admin, adminToken, createTestContext, type TestContext } from '../helpers/context';
import { captureStream } from '../helpers/capture';
import { GOOD_PASSWORD, createApplication, createUser, login } from '../helpers/factories';

let ctx: TestContext;
const logs = captureStream();
beforeAll(async () => {
  ctx = await createTestContext(
    { loginMaxFailures: 1, corsOrigins: ['https://admin.example.com'] },
    { logger: createLogger('trace', logs.stream) },
  );
});
afterAll(async () => ctx.close());

/** The value of one Prometheus series, found by name and labels in any order. */
function metric(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => l.includes(`${key}="${value}"`)),
    );
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('GET /metrics', () => {
  it('counts requests by route pattern and status, logins by outcome, tokens by kind and rate-limit rejections', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    await login(ctx.app, app.name, user.username, user.password).expect(200);
    await login(ctx.app, app.name, user.username, 'wrong-password').expect(401);
    await login(ctx.app, app.name, user.username, user.password).expect(429);

    const res = await request(ctx.app).get('/metrics');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const name = 'jawth_http_request_duration_seconds_count';
    expect(metric(res.text, name, { method: 'POST', route: '/:app/login', status: '200' })).toBe(1);
    expect(metric(res.text, name, { method: 'POST', route: '/:app/login', status: '429' })).toBe(1);
    expect(metric(res.text, name, { method: 'POST', route: '/:app/users', status: '201' })).toBe(1);
    expect(res.text).not.toContain(`route="/${app.name}`);
    expect(metric(res.text, 'jawth_login_attempts_total', { action: 'login', outcome: 'success' })).toBe(1);
    expect(metric(res.text, 'jawth_login_attempts_total', { action: 'login', outcome: 'failure' })).toBe(1);
    expect(metric(res.text, 'jawth_login_attempts_total', { action: 'login', outcome: 'rate_limited' })).toBe(1);
    expect(metric(res.text, 'jawth_tokens_issued_total', { kind: 'access' })).toBe(1);
    expect(metric(res.text, 'jawth_tokens_issued_total', { kind: 'refresh' })).toBe(1);
    expect(metric(res.text, 'jawth_rate_limit_rejections_total', { action: 'login' })).toBe(1);
  });

  it('keeps a registry per app, so two apps in one process do not mix their counts', async () => {
    const other = await ctx.secondInstance();
    await request(other).get('/health').expect(200);
    const text = (await request(other).get('/metrics')).text;
    expect(metric(text, 'jawth_http_request_duration_seconds_count', { route: '/health' })).toBe(1);
    expect(metric(text, 'jawth_login_attempts_total', { outcome: 'success' })).toBeUndefined();
  });
});

describe('CORS', () => {
  const preflight = (path: string, origin: string) =>
    request(ctx.app)
      .options(path)
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');

  it("answers a public endpoint's preflight for the application's own origins only", async () => {
    const app = await createApplication(ctx.app, { cors_origins: ['https://shop.example.com'] });

    const allowed = await preflight(`/${app.name}/login`, 'https://shop.example.com');
    const refused = await preflight(`/${app.name}/login`, 'https://evil.example.com');
    const adminOrigin = await preflight(`/${app.name}/login`, 'https://admin.example.com');

    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(allowed.headers['access-control-allow-methods']).toContain('POST');
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect(adminOrigin.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("answers /token/* preflights for any application's origins, and sees a new origin at once", async () => {
    const app = await createApplication(ctx.app, { cors_origins: ['https://spa.example.com'] });
    expect(
      (await preflight('/token/access/10m', 'https://spa.example.com')).headers['access-control-allow-origin'],
    ).toBe('https://spa.example.com');
    expect(
      (await preflight('/token/access/10m', 'https://late.example.com')).headers['access-control-allow-origin'],
    ).toBeUndefined();
    await admin(ctx.app, 'patch', `/applications/${app.name}`, { cors_origins: ['https://late.example.com'] }).expect(
      200,
    );
    expect((await preflight('/token/refresh', 'https://late.example.com')).headers['access-control-allow-origin']).toBe(
      'https://late.example.com',
    );
    expect(
      (await preflight('/token/refresh', 'https://spa.example.com')).headers['access-control-allow-origin'],
    ).toBeUndefined();
  });

  it('adds the origin to the real answer of an allowed public request', async () => {
    const app = await createApplication(ctx.app, { cors_origins: ['https://shop.example.com'] });
    const user = await createUser(ctx.app, app.name);
    const res = await login(ctx.app, app.name, user.username, user.password).set('Origin', 'https://shop.example.com');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(res.headers.vary).toContain('Origin');
  });

  it('answers the admin API for CORS_ORIGINS only, never with *', async () => {
    const app = await createApplication(ctx.app, { cors_origins: ['https://shop.example.com'] });
    const allowed = await preflight('/applications', 'https://admin.example.com');
    const appOrigin = await preflight(`/${app.name}/users`, 'https://shop.example.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.example.com');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/auth/i);
    expect(appOrigin.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('logs', () => {
  it('never carry authorization headers, passwords, secrets or tokens', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const token = adminToken({ method: 'GET', path: `/${app.name}/users` });
    await request(ctx.app).get(`/${app.name}/users`).set('Authorization', `Bearer ${token}`).expect(200);
    const session = await login(ctx.app, app.name, user.username, user.password).expect(200);
    await request(ctx.app)
      .post(`/${app.name}/${user.username}/change_password`)
      .set('auth', `jwt ${session.body.token}`)
      .send({ password: 'fresh-horse-battery-3', repeated_password: 'fresh-horse-battery-3' });
    createLogger('trace', logs.stream).info({ password: 'direct-pass', user: { token: 'direct-tok' } }, 'probe');
    // A database error's statement and bound values (a hash, a secret) never reach the log.
    const dbError = Object.assign(new Error('SQLITE_CONSTRAINT'), {
      sql: 'INSERT INTO applications (secret) VALUES ($1)',
      parameters: ['sql-bound-secret'],
      original: { sql: 'INSERT', parameters: ['original-bound-secret'] },
    });
    createLogger('trace', logs.stream).error({ err: dbError }, 'unhandled error');

    const text = logs.text();
    expect(text).toContain('[redacted]');
    expect(text).toContain('"url":"/' + app.name + '/users"');
    for (const secret of [
      token,
      session.body.token,
      session.body.refresh_token,
      GOOD_PASSWORD,
      'fresh-horse-battery-3',
      app.secret,
      'direct-pass',
      'direct-tok',
      'sql-bound-secret',
      'original-bound-secret',
      'INSERT INTO applications',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('trust proxy', () => {
  it('ignores X-Forwarded-For by default: the audit log keeps the socket address', async () => {
    const app = await createApplication(ctx.app);
    await request(ctx.app)
      .post(`/${app.name}/login`)
      .set('X-Forwarded-For', '203.0.113.77')
      .send({ username: 'nobody', password: 'wrong-password' })
      .expect(401);
    const row = await ctx.models.AuditEntry.findOne({ where: { app: app.name, action: 'login' } });
    expect(row?.ip).not.toBe('203.0.113.77');
  });
});

// Last: a second context rebinds the models to its own database.
describe('unhandled errors', () => {
  it('answer 500 with the request id, log the cause, and never show it', async () => {
    const broken = await createTestContext({}, { logger: createLogger('error', logs.stream) });
    await broken.db.close();
    const res = await admin(broken.app, 'get', '/applications').set('X-Request-Id', 'req-broken-1');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: 'internal_error',
      message: 'Something went wrong on our side.',
      request_id: 'req-broken-1',
    });
    expect(JSON.stringify(res.body)).not.toMatch(/sequelize|ConnectionManager|at .+:\d+/i);
    expect(logs.text()).toMatch(
      /"requestId":"req-broken-1".*unhandled error|unhandled error.*"requestId":"req-broken-1"/,
    );
    await broken.close().catch(() => undefined);
  });
});

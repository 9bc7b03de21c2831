import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

// what a foreign website or a stranger can learn or do through the Quid endpoints.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ loginMaxFailures: 3, trustProxy: true });
});
afterAll(async () => ctx.close());

const FRONTEND = 'https://app.example.com';
const EVIL = 'https://evil.example';

describe('a request with a foreign Origin at /token/refresh and /token/access', () => {
  it('is refused with 403 origin_not_allowed before any password is checked or counted', async () => {
    const app = await createApplication(ctx.app, { cors_origins: [FRONTEND] });
    const user = await createUser(ctx.app, app.name);
    // What a hostile page can send without a preflight: text/plain, from the victim's browser and IP.
    const fromPage = (origin: string, password: string) =>
      request(ctx.app)
        .post('/token/refresh')
        .set('X-Forwarded-For', '198.51.100.30')
        .set('Origin', origin)
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify({ namespace: app.name, username: user.username, password }));

    for (let i = 0; i < 10; i++) {
      const res = await fromPage(EVIL, 'wrong-password');
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('origin_not_allowed');
    }
    const right = await fromPage(EVIL, user.password);

    expect(right.status).toBe(403);
    expect(await ctx.models.AuditEntry.count({ where: { app: app.name, action: 'token.refresh' } })).toBe(0);
    expect((await fromPage(FRONTEND, 'wrong-password')).status).toBe(401);
    const own = await fromPage(FRONTEND, user.password);
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBe(FRONTEND);
  });

  it('refuses /token/access from a foreign origin, and from any origin for an unknown application', async () => {
    const app = await createApplication(ctx.app, { cors_origins: [FRONTEND] });
    const user = await createUser(ctx.app, app.name);
    const refresh = (await login(ctx.app, app.name, user.username, user.password)).body.refresh_token as string;
    const send = (namespace: string, origin: string) =>
      request(ctx.app).post('/token/access').set('Origin', origin).send({ namespace, refresh_token: refresh });

    expect((await send(app.name, EVIL)).status).toBe(403);
    expect((await send('no-such-app', FRONTEND)).status).toBe(403);
    expect((await send(app.name, FRONTEND)).status).toBe(200);
  });
});

describe('application names and maxima do not leak', () => {
  it('/token/refresh/300d answers an unknown namespace exactly like a known one with a wrong password', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const send = (namespace: string, password: string, ip: string) =>
      request(ctx.app)
        .post('/token/refresh/300d')
        .set('X-Forwarded-For', ip)
        .send({ namespace, username: user.username, password });

    const known = await send(app.name, 'wrong-password', '198.51.100.40');
    const unknown = await send('no-such-app-anywhere', 'wrong-password', '198.51.100.41');

    expect(known.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(known.body);
    const right = await send(app.name, user.password, '198.51.100.42');
    expect(right.status).toBe(400);
    expect(right.body.error).toBe('ttl_exceeds_max');
    expect(right.body.message).toContain('maximum of 1d');
  });

  it('/token/access/300d judges the refresh token before the lifetime', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const refresh = (await login(ctx.app, app.name, user.username, user.password)).body.refresh_token as string;
    const send = (namespace: string, token: string) =>
      request(ctx.app).post('/token/access/300d').send({ namespace, refresh_token: token });

    const known = await send(app.name, 'not-a-token');
    const unknown = await send('no-such-app-anywhere', 'not-a-token');

    expect(known.status).toBe(401);
    expect(unknown.body).toEqual(known.body);
    const right = await send(app.name, refresh);
    expect(right.status).toBe(400);
    expect(right.body.message).toContain('20m');
  });
});

describe('answers that carry tokens', () => {
  it('are marked Cache-Control: no-store on every token endpoint, refusals included', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const logged = await login(ctx.app, app.name, user.username, user.password);
    const refresh = logged.body.refresh_token as string;
    const answers = [
      logged,
      await request(ctx.app)
        .post('/token/refresh')
        .send({ namespace: app.name, ...user }),
      await request(ctx.app).post('/token/access').send({ namespace: app.name, refresh_token: refresh }),
      await request(ctx.app).post(`/${app.name}/refresh`).send({ refresh_token: refresh }),
      await login(ctx.app, app.name, user.username, 'wrong-password'),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 401]);
    for (const res of answers) expect(res.headers['cache-control']).toBe('no-store');
  });
});

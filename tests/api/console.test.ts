import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { CONSOLE_DIR } from '../../src/http/routes/console.routes';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { createTestContext, type TestContext } from '../helpers/context';
import { GOOD_PASSWORD, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

function expectStrictPolicy(csp: string | undefined) {
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:|http:|\*/);
}

describe('GET /admin/ (the console, built by npm run build)', () => {
  it('serves the page with a strict Content-Security-Policy and no inline script', async () => {
    const res = await request(ctx.app).get('/admin/');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expectStrictPolicy(res.headers['content-security-policy']);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.text).toContain('<div id="root"></div>');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves its hashed assets and favicon from /admin/, cached for good', async () => {
    const page = await request(ctx.app).get('/admin/');
    const script = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();

    const asset = await request(ctx.app).get(script as string);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await request(ctx.app).get('/admin/favicon.svg')).status).toBe(200);
  });

  it('answers the console page for its own paths (SPA fallback), and 404 for a missing asset', async () => {
    const deep = await request(ctx.app).get('/admin/apps/some-app/settings').set('Accept', 'text/html');
    expect(deep.status).toBe(200);
    expect(deep.text).toBe(fs.readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8'));
    expectStrictPolicy(deep.headers['content-security-policy']);

    const missing = await request(ctx.app).get('/admin/assets/nothing-here.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not_found' });
  });

  it('leaves POST /admin/login to the admin session routes', async () => {
    const username = uniqueName('admin');
    await ensureAdminAccount(username, GOOD_PASSWORD, ctx.config, ctx.deps);

    const res = await request(ctx.app).post('/admin/login').send({ username, password: GOOD_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), expires_in: expect.any(Number) });
  });
});

describe('GET /admin/setup (the first-run page)', () => {
  it('serves the console page: the token stays in the fragment, which no request carries', async () => {
    const res = await request(ctx.app).get('/admin/setup').set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.text).toBe(fs.readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8'));
    expectStrictPolicy(res.headers['content-security-policy']);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('GET /', () => {
  it('sends a browser to the console with 302', async () => {
    const res = await request(ctx.app)
      .get('/')
      .set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin/');
  });

  it('answers an API client with a small index', async () => {
    for (const accept of ['application/json', '*/*']) {
      const res = await request(ctx.app).get('/').set('Accept', accept);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ name: 'jawth', console: '/admin/', openapi: '/openapi.json', health: '/health' });
    }
  });
});

import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';

// docs/api.md, Operations: GET /docs is a reference page of GET /openapi.json, served by jawth
// itself (Redoc's standalone bundle, copied by `npm run build`), loading nothing from elsewhere.
let ctx: TestContext;
beforeAll(async () => (ctx = await createTestContext()));
afterAll(() => ctx.close());

/** Every source the policy allows, directive by directive. */
function sources(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp.split(';').map((directive) => {
      const [name, ...values] = directive.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('GET /docs', () => {
  it('answers an HTML page that reads this server’s document with this server’s script, and no inline script', async () => {
    const res = await request(ctx.app).get('/docs');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<redoc spec-url="/openapi.json"');
    const scripts = [...res.text.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.map(([, attributes, body]) => [attributes.trim(), body.trim()])).toEqual([
      ['src="/docs/redoc.standalone.js"', ''],
    ]);
    expect(res.text).not.toMatch(/https?:\/\//);
  });

  it('serves the script the page names, as JavaScript', async () => {
    const res = await request(ctx.app).get('/docs/redoc.standalone.js');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(Number(res.headers['content-length'])).toBeGreaterThan(100_000);
  });

  it('forbids every other origin: scripts, styles, fonts, images, connections and workers come from here only', async () => {
    for (const url of ['/docs', '/docs/redoc.standalone.js']) {
      const csp = (await request(ctx.app).get(url)).headers['content-security-policy'] as string;
      const policy = sources(csp);
      expect(policy['default-src']).toEqual(["'none'"]);
      expect(policy['script-src']).toEqual(["'self'"]);
      expect(policy['connect-src']).toEqual(["'self'"]);
      expect(policy['font-src']).toEqual(["'self'"]);
      expect(policy['frame-ancestors']).toEqual(["'none'"]);
      const allowed = Object.values(policy).flat();
      expect(allowed.filter((source) => /^(https?:|\*|\/\/)|\.\w/.test(source))).toEqual([]);
      expect(allowed).not.toContain("'unsafe-eval'");
    }
  });

  it('serves nothing else under /docs/', async () => {
    const res = await request(ctx.app).get('/docs/other.js');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found' });
  });
});

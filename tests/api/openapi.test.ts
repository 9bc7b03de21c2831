import request from 'supertest';
import type { Express } from 'express';
import { createTestContext, type TestContext } from '../helpers/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

interface Layer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every (method, path) the Express app routes, found by walking its router stack. */
function expressRoutes(app: Express): string[] {
  const found: string[] = [];
  const join = (prefix: string, path: string) => (path === '/' ? prefix || '/' : `${prefix}${path}`);
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = [layer.route.path].flat();
        for (const path of paths) {
          for (const method of Object.keys(layer.route.methods)) found.push(`${method} ${join(prefix, path)}`);
        }
      } else if (layer.handle.stack) {
        for (const path of [layer.rawPath ?? '/'].flat())
          walk(layer.handle.stack, join(prefix, path).replace(/\/$/, ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  // Express writes /:app and /*splat, OpenAPI writes /{app} and /{splat}.
  return found.map((route) => route.replace(/[:*](\w+)/g, '{$1}'));
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document', async () => {
    const res = await request(ctx.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.info).toMatchObject({ title: 'jawth', version: expect.any(String) });
  });

  it('describes every route the app serves (a new route without an entry fails here)', async () => {
    const document = (await request(ctx.app).get('/openapi.json')).body as { paths: Record<string, object> };
    const routes = expressRoutes(ctx.app);
    expect(routes.length).toBeGreaterThan(20);

    const missing = routes.filter((route) => {
      const [method, path] = route.split(' ');
      return !(document.paths[path] && method in document.paths[path]);
    });

    expect(missing).toEqual([]);
  });

  it('takes its request bodies from the zod schemas the routes validate with', async () => {
    const document = (await request(ctx.app).get('/openapi.json')).body;
    const create = document.paths['/applications'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['name']);
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['name', 'secret', 'access_ttl', 'cors_origins', 'audience']),
    );
    expect(body.additionalProperties).toBe(false);
    const login = document.paths['/{app}/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    expect(login.responses['200'].content['application/json'].schema.properties.token).toEqual({ type: 'string' });
    expect(document.paths['/audit'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['app', 'action', 'since', 'limit', 'offset']),
    );
  });
});

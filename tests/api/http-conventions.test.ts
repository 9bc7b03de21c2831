import request from 'supertest';
import { Application } from '../../src/db/models';
import { adminToken, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ bodyLimit: 1024 });
});
afterAll(async () => ctx.close());

const noStack = (body: unknown) => expect(JSON.stringify(body)).not.toMatch(/at .+\.(ts|js):\d+|node_modules|Error:/);

describe('bad input (contract §1)', () => {
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
    expect(await Application.count({ where: { name } })).toBe(0);
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

import request from 'supertest';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { decodeClaimsForTest } from '../helpers/claims';
import { createApplication, createUser } from '../helpers/factories';

// The token paths read applications through a cache of 5 s (src/infra/application-cache.ts): a
// change made by another instance (here: written to the database behind this one's back) shows
// once the entry is older than that on the deps' clock, never later.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

async function refreshTokenOf(appName: string) {
  const user = await createUser(ctx.app, appName);
  const res = await request(ctx.app)
    .post('/token/refresh/1h')
    .send({ namespace: appName, username: user.username, password: user.password });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

const audienceOf = async (namespace: string, refresh_token: string) => {
  const res = await request(ctx.app).post('/token/access/10m').send({ namespace, refresh_token });
  expect(res.status).toBe(200);
  return decodeClaimsForTest(res.body.token as string).aud;
};

describe('the application cache of the token paths', () => {
  it('when another instance changes an application, then the cached one is served until its 5 s have passed, then the row is read again', async () => {
    const app = await createApplication(ctx.app);
    const refresh = await refreshTokenOf(app.name);
    expect(await audienceOf(app.name, refresh)).toBeUndefined(); // cached from now on

    await ctx.models.Application.update({ audience: 'orders-api' }, { where: { name: app.name } });
    ctx.clock.advance(4);
    const stale = await audienceOf(app.name, refresh);
    ctx.clock.advance(1);
    const fresh = await audienceOf(app.name, refresh);

    expect(stale).toBeUndefined();
    expect(fresh).toBe('orders-api');
    expect((await ctx.models.Application.findOne({ where: { name: app.name } }))?.audience).toBe('orders-api');
  });

  it('when the change is made through this instance, then it shows at once, whatever the clock', async () => {
    const app = await createApplication(ctx.app);
    const refresh = await refreshTokenOf(app.name);
    expect(await audienceOf(app.name, refresh)).toBeUndefined();

    const patched = await admin(ctx.app, 'patch', `/applications/${app.name}`, { audience: 'billing-api' });

    expect(patched.status).toBe(200);
    expect(await audienceOf(app.name, refresh)).toBe('billing-api');
  });
});

import request from 'supertest';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

// The refresh-token lookup behind /token/access and /:app/refresh reads the user's groups and
// orgs in the same query as the session: the tokens must carry them, sorted.
describe('groups and orgs in tokens issued from a refresh token', () => {
  it('when the user has groups and an org, then access and rotated tokens carry them', async () => {
    const app = await createApplication(ctx.app);
    const org = uniqueName('org');
    for (const name of ['writers', 'admins']) {
      expect((await admin(ctx.app, 'post', `/${app.name}/groups`, { name })).status).toBe(201);
    }
    expect((await admin(ctx.app, 'post', '/orgs', { name: org })).status).toBe(201);
    const user = await createUser(ctx.app, app.name, { groups: ['writers', 'admins'], orgs: [org] });
    const { refresh_token } = (await login(ctx.app, app.name, user.username, user.password)).body;

    const access = await request(ctx.app).post('/token/access/1m').send({ namespace: app.name, refresh_token });
    expect(access.status).toBe(200);
    expect(claimsOf(access.body.token)).toMatchObject({
      username: user.username,
      id: user.uid,
      groups: ['admins', 'writers'],
      orgs: [org],
    });

    const rotated = await request(ctx.app).post(`/${app.name}/refresh`).send({ refresh_token });
    expect(rotated.status).toBe(200);
    expect(claimsOf(rotated.body.token)).toMatchObject({ groups: ['admins', 'writers'], orgs: [org] });
  });

  it('when the user has none, then the lists are empty', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const { refresh_token } = (await login(ctx.app, app.name, user.username, user.password)).body;
    const access = await request(ctx.app).post('/token/access').send({ namespace: app.name, refresh_token });
    expect(claimsOf(access.body.token)).toMatchObject({ groups: [], orgs: [] });
  });
});

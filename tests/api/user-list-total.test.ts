import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

// X-Total-Count is reused for a few seconds between pages; users created or deleted through
// this jawth must show at once all the same.
describe('GET /:app/users X-Total-Count', () => {
  it('when a user is created or deleted between two pages, then the next page counts it', async () => {
    const app = await createApplication(ctx.app);
    await createUser(ctx.app, app.name);
    const first = await admin(ctx.app, 'get', `/${app.name}/users`);
    expect(first.headers['x-total-count']).toBe('1');

    const second = await createUser(ctx.app, app.name);
    const afterCreate = await admin(ctx.app, 'get', `/${app.name}/users`);
    expect(afterCreate.headers['x-total-count']).toBe('2');

    expect((await admin(ctx.app, 'delete', `/${app.name}/users/${second.username}`)).status).toBe(204);
    const afterDelete = await admin(ctx.app, 'get', `/${app.name}/users`);
    expect(afterDelete.headers['x-total-count']).toBe('1');
    expect(afterDelete.body).toHaveLength(1);
  });

  it('when an application is deleted, then the all-users total drops its users', async () => {
    const app = await createApplication(ctx.app);
    await createUser(ctx.app, app.name);
    const before = Number((await admin(ctx.app, 'get', '/users')).headers['x-total-count']);
    expect((await admin(ctx.app, 'delete', `/applications/${app.name}`)).status).toBe(204);
    const after = Number((await admin(ctx.app, 'get', '/users')).headers['x-total-count']);
    expect(after).toBe(before - 1);
  });
});

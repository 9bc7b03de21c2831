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

describe('GET /:app/users?q= X-Total-Count', () => {
  it('when the list is searched, then the total counts the matching users only, not the whole application', async () => {
    const app = await createApplication(ctx.app);
    await createUser(ctx.app, app.name, { username: 'alice-one' });
    await createUser(ctx.app, app.name, { username: 'alice-two' });
    await createUser(ctx.app, app.name, { username: 'bob' });
    const all = await admin(ctx.app, 'get', `/${app.name}/users`);
    expect(all.headers['x-total-count']).toBe('3');

    const alices = await admin(ctx.app, 'get', `/${app.name}/users?q=alice`);
    const bobs = await admin(ctx.app, 'get', `/users?app=${app.name}&q=BOB`);
    const nobody = await admin(ctx.app, 'get', `/${app.name}/users?q=carol&limit=1`);

    expect(alices.body.map((u: { username: string }) => u.username)).toEqual(['alice-one', 'alice-two']);
    expect(alices.headers['x-total-count']).toBe('2');
    expect(bobs.headers['x-total-count']).toBe('1');
    expect(nobody.headers['x-total-count']).toBe('0');
    expect(nobody.body).toEqual([]);
  });

  it('when a user is renamed into a search, then the next searched page counts it', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name, { username: 'zed' });
    expect((await admin(ctx.app, 'get', `/${app.name}/users?q=carol`)).headers['x-total-count']).toBe('0');

    await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, { username: 'carol' }).expect(200);
    const after = await admin(ctx.app, 'get', `/${app.name}/users?q=carol`);

    expect(after.headers['x-total-count']).toBe('1');
    expect(after.body).toHaveLength(1);
  });
});

import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe('groups of an application', () => {
  it('creates, lists, lists members of and deletes a group, which leaves its members', async () => {
    const app = await createApplication(ctx.app);
    const created = await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'editors' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'editors', app: app.name, created_at: expect.any(String) });
    await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'viewers' });

    const list = await admin(ctx.app, 'get', `/${app.name}/groups`);
    expect(list.body.map((g: { name: string }) => g.name)).toEqual(['editors', 'viewers']);
    expect(list.headers['x-total-count']).toBe('2');

    const member = await createUser(ctx.app, app.name, { groups: ['editors', 'viewers'] });
    await createUser(ctx.app, app.name);
    const members = await admin(ctx.app, 'get', `/${app.name}/groups/editors/users`);
    expect(members.headers['x-total-count']).toBe('1');
    expect(members.body).toEqual([
      expect.objectContaining({ username: member.username, groups: ['editors', 'viewers'] }),
    ]);

    expect((await admin(ctx.app, 'delete', `/${app.name}/groups/editors`)).status).toBe(204);
    expect(await ctx.models.Group.count({ where: { name: 'editors' } })).toBe(0);
    const after = await admin(ctx.app, 'get', `/${app.name}/users/${member.username}`);
    expect(after.body.groups).toEqual(['viewers']);
  });

  it('answers 409 for a duplicate, 400 for a bad name, 404 for an unknown group', async () => {
    const app = await createApplication(ctx.app);
    await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'ops' });
    expect((await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'ops' })).status).toBe(409);
    expect((await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'bad name' })).status).toBe(400);
    expect((await admin(ctx.app, 'delete', `/${app.name}/groups/none`)).status).toBe(404);
    expect((await admin(ctx.app, 'get', `/${app.name}/groups/none/users`)).status).toBe(404);
  });

  it("refuses another application's group in a user's groups", async () => {
    const a = await createApplication(ctx.app);
    const b = await createApplication(ctx.app);
    await admin(ctx.app, 'post', `/${a.name}/groups`, { name: 'only-in-a' });
    const username = uniqueName('u');
    const res = await admin(ctx.app, 'post', `/${b.name}/users`, {
      username,
      password: 'correct-horse-battery-7',
      groups: ['only-in-a'],
    });
    expect(res.status).toBe(400);
    expect(await ctx.models.User.count({ where: { username } })).toBe(0);
  });
});

describe('orgs', () => {
  it('creates, lists, lists members across applications and deletes an org', async () => {
    const name = uniqueName('org');
    expect((await admin(ctx.app, 'post', '/orgs', { name })).status).toBe(201);
    expect((await admin(ctx.app, 'post', '/orgs', { name })).status).toBe(409);
    const list = await admin(ctx.app, 'get', '/orgs?limit=1000');
    expect(list.body.map((o: { name: string }) => o.name)).toContain(name);

    const a = await createApplication(ctx.app);
    const b = await createApplication(ctx.app);
    const ua = await createUser(ctx.app, a.name, { orgs: [name] });
    const ub = await createUser(ctx.app, b.name, { orgs: [name] });
    const members = await admin(ctx.app, 'get', `/orgs/${name}/users`);
    expect(members.body.map((u: { username: string; app: string }) => [u.app, u.username])).toEqual([
      [a.name, ua.username],
      [b.name, ub.username],
    ]);

    expect((await admin(ctx.app, 'delete', `/orgs/${name}`)).status).toBe(204);
    expect(await ctx.models.Org.count({ where: { name } })).toBe(0);
    expect((await admin(ctx.app, 'get', `/${a.name}/users/${ua.username}`)).body.orgs).toEqual([]);
    expect((await admin(ctx.app, 'delete', `/orgs/${name}`)).status).toBe(404);
  });
});

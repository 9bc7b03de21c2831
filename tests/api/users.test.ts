import bcrypt from 'bcrypt';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { GOOD_PASSWORD, createApplication, createUser, login, uniqueName } from '../helpers/factories';

let ctx: TestContext;
let appName: string;
beforeAll(async () => {
  ctx = await createTestContext();
  appName = (await createApplication(ctx.app)).name;
});
afterAll(async () => ctx.close());

const userRow = (username: string) => ctx.models.User.findOne({ where: { username } });

describe('POST /:app/users', () => {
  it('creates a user with a bcrypt hash, default role and a public uid', async () => {
    const username = uniqueName('alice');
    const res = await admin(ctx.app, 'post', `/${appName}/users`, { username, password: GOOD_PASSWORD });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      app: appName,
      username,
      role: 'user',
      groups: [],
      orgs: [],
      disabled: false,
      email: null,
      created_at: expect.any(String),
      last_login: null,
    });
    const row = await userRow(username);
    expect(row?.uid).toBe(res.body.uid);
    expect(row?.passwordHash).toMatch(/^\$2[aby]\$04\$/);
    expect(await bcrypt.compare(GOOD_PASSWORD, row?.passwordHash ?? '')).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain(row?.passwordHash);
  });

  it('answers 409 for a username taken in the same application, and allows it in another', async () => {
    const user = await createUser(ctx.app, appName);
    const again = await admin(ctx.app, 'post', `/${appName}/users`, {
      username: user.username,
      password: GOOD_PASSWORD,
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('username_taken');
    const other = await createApplication(ctx.app);
    const elsewhere = await admin(ctx.app, 'post', `/${other.name}/users`, {
      username: user.username,
      password: GOOD_PASSWORD,
    });
    expect(elsewhere.status).toBe(201);
    expect(await ctx.models.User.count({ where: { username: user.username } })).toBe(2);
  });

  it.each([
    ['a common password', { password: 'password123' }, 'weak_password', 'password'],
    ['a short password', { password: 'Ab1!' }, 'validation_failed', 'password'],
    ['a password over 72 bytes', { password: 'é'.repeat(37) }, 'validation_failed', 'password'],
    ['a username with a slash', { username: 'a/b' }, 'validation_failed', 'username'],
    ['an empty username', { username: '' }, 'validation_failed', 'username'],
    ['a username over 128 characters', { username: 'u'.repeat(129) }, 'validation_failed', 'username'],
    ['a number as username', { username: 42 }, 'validation_failed', 'username'],
    ['an unknown group', { groups: ['nope'] }, 'validation_failed', 'groups'],
    ['an unknown org', { orgs: ['nope'] }, 'validation_failed', 'orgs'],
  ])('refuses %s with 400 and stores nothing', async (_what, fields, code, field) => {
    const username = uniqueName('bad');
    const res = await admin(ctx.app, 'post', `/${appName}/users`, { username, password: GOOD_PASSWORD, ...fields });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(code);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await ctx.models.User.count({ where: { username } })).toBe(0);
  });

  it('answers 404 for an unknown application', async () => {
    const res = await admin(ctx.app, 'post', '/no-such-app/users', { username: 'x', password: GOOD_PASSWORD });
    expect(res.status).toBe(404);
  });

  it('sets groups and orgs by name', async () => {
    const app = await createApplication(ctx.app);
    const appRow = await ctx.models.Application.findOne({ where: { name: app.name } });
    await ctx.models.Group.create({ applicationId: appRow?.id ?? 0, name: 'admins' });
    const org = uniqueName('org');
    await ctx.models.Org.create({ name: org });
    const user = await createUser(ctx.app, app.name, { groups: ['admins'], orgs: [org], role: 'editor' });
    const res = await admin(ctx.app, 'get', `/${app.name}/users/${user.username}`);
    expect(res.body).toMatchObject({ groups: ['admins'], orgs: [org], role: 'editor' });
  });
});

describe('POST /:app/users while its application is deleted', () => {
  it('when the application is deleted during 20 concurrent creations, then each answers 201 or 404, never 500, and no user is left', async () => {
    const doomed = await createApplication(ctx.app);
    const applicationId = (await ctx.models.Application.findOne({ where: { name: doomed.name } }))?.id;
    const creations = Array.from({ length: 20 }, (_, i) =>
      admin(ctx.app, 'post', `/${doomed.name}/users`, { username: `racer-${i}`, password: GOOD_PASSWORD }),
    );

    const [deleted, ...created] = await Promise.all([
      admin(ctx.app, 'delete', `/applications/${doomed.name}`),
      ...creations,
    ]);

    expect(deleted.status).toBe(204);
    for (const res of created) {
      expect([201, 404]).toContain(res.status);
      if (res.status === 404) expect(res.body.error).toBe('application_not_found');
    }
    expect(await ctx.models.Application.count({ where: { name: doomed.name } })).toBe(0);
    expect(await ctx.models.User.count({ where: { applicationId } })).toBe(0);
  });

  it('when a group is created during the deletion of its application, then 201 or 404, never 500', async () => {
    const doomed = await createApplication(ctx.app);
    const [deleted, ...created] = await Promise.all([
      admin(ctx.app, 'delete', `/applications/${doomed.name}`),
      ...Array.from({ length: 10 }, (_, i) => admin(ctx.app, 'post', `/${doomed.name}/groups`, { name: `g${i}` })),
    ]);
    expect(deleted.status).toBe(204);
    for (const res of created) expect([201, 404]).toContain(res.status);
    expect(await ctx.models.Group.count({ where: { name: Array.from({ length: 10 }, (_, i) => `g${i}`) } })).toBe(0);
  });
});

describe('GET /:app/users', () => {
  it('pages through the users of one application with X-Total-Count', async () => {
    const app = await createApplication(ctx.app);
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await createUser(ctx.app, app.name));
    const page = await admin(ctx.app, 'get', `/${app.name}/users?limit=2&offset=1`);
    expect(page.status).toBe(200);
    expect(page.headers['x-total-count']).toBe('3');
    expect(page.body.map((u: { username: string }) => u.username)).toEqual([created[1].username, created[2].username]);
  });

  it('shows each user as GET /:app/users/:username does: memberships, last login, times', async () => {
    const app = await createApplication(ctx.app);
    await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'staff' });
    await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'admins' });
    const org = uniqueName('org');
    await admin(ctx.app, 'post', '/orgs', { name: org });
    const member = await createUser(ctx.app, app.name, { groups: ['staff', 'admins'], orgs: [org] });
    const plain = await createUser(ctx.app, app.name);
    await login(ctx.app, app.name, member.username, member.password);

    const listed = await admin(ctx.app, 'get', `/${app.name}/users`);
    const one = async (username: string) => (await admin(ctx.app, 'get', `/${app.name}/users/${username}`)).body;

    expect(listed.body).toEqual([await one(member.username), await one(plain.username)]);
    expect(listed.body[0]).toMatchObject({ groups: ['admins', 'staff'], orgs: [org], last_login: expect.any(String) });
    expect(listed.body[1]).toMatchObject({ groups: [], orgs: [], last_login: null });
  });

  it('with ?q= keeps usernames that contain it, ignoring case, with % and _ as plain characters', async () => {
    const app = await createApplication(ctx.app);
    for (const username of ['Alice_Admin', 'bob', 'malice', 'al%ex']) await createUser(ctx.app, app.name, { username });

    const alice = await admin(ctx.app, 'get', `/${app.name}/users?q=ALIC&limit=1`);
    expect(alice.status).toBe(200);
    expect(alice.headers['x-total-count']).toBe('2');
    expect(alice.body.map((u: { username: string }) => u.username)).toEqual(['Alice_Admin']);

    const literal = await admin(ctx.app, 'get', `/${app.name}/users?q=${encodeURIComponent('l%')}`);
    expect(literal.body.map((u: { username: string }) => u.username)).toEqual(['al%ex']);
    const underscore = await admin(ctx.app, 'get', `/${app.name}/users?q=_`);
    expect(underscore.body.map((u: { username: string }) => u.username)).toEqual(['Alice_Admin']);
  });
});

describe('GET /:app/users/:username', () => {
  it('answers 404 for an unknown user', async () => {
    const res = await admin(ctx.app, 'get', `/${appName}/users/ghost`);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('user_not_found');
  });
});

describe('PATCH /:app/users/:username', () => {
  it('changes role and username', async () => {
    const user = await createUser(ctx.app, appName);
    const renamed = uniqueName('renamed');
    const res = await admin(ctx.app, 'patch', `/${appName}/users/${user.username}`, {
      role: 'admin',
      username: renamed,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: renamed, role: 'admin', uid: user.uid });
    expect((await userRow(renamed))?.role).toBe('admin');
  });

  it('a new password revokes the sessions and the new password logs in', async () => {
    const user = await createUser(ctx.app, appName);
    const first = await login(ctx.app, appName, user.username, user.password);
    expect(first.status).toBe(200);
    const res = await admin(ctx.app, 'patch', `/${appName}/users/${user.username}`, {
      password: 'another-good-pass-9',
    });
    expect(res.status).toBe(200);
    const row = await userRow(user.username);
    expect(await ctx.models.Session.count({ where: { userId: row?.id, revokedAt: null } })).toBe(0);
    expect(row?.tokensValidAfter).not.toBeNull();
    expect((await login(ctx.app, appName, user.username, user.password)).status).toBe(401);
    expect((await login(ctx.app, appName, user.username, 'another-good-pass-9')).status).toBe(200);
  });

  it('disabling revokes the sessions and blocks login; enabling restores it', async () => {
    const user = await createUser(ctx.app, appName);
    await login(ctx.app, appName, user.username, user.password);
    const res = await admin(ctx.app, 'patch', `/${appName}/users/${user.username}`, { disabled: true });
    expect(res.body.disabled).toBe(true);
    const row = await userRow(user.username);
    expect(row?.disabled).toBe(true);
    expect(await ctx.models.Session.count({ where: { userId: row?.id, revokedAt: null } })).toBe(0);
    expect((await login(ctx.app, appName, user.username, user.password)).status).toBe(401);
    await admin(ctx.app, 'patch', `/${appName}/users/${user.username}`, { disabled: false });
    expect((await login(ctx.app, appName, user.username, user.password)).status).toBe(200);
  });

  it('answers 409 when renaming onto an existing username, and keeps both rows', async () => {
    const a = await createUser(ctx.app, appName);
    const b = await createUser(ctx.app, appName);
    const res = await admin(ctx.app, 'patch', `/${appName}/users/${a.username}`, { username: b.username });
    expect(res.status).toBe(409);
    expect(await userRow(a.username)).not.toBeNull();
  });

  it('refuses a weak password and keeps the old hash', async () => {
    const user = await createUser(ctx.app, appName);
    const before = (await userRow(user.username))?.passwordHash;
    const res = await admin(ctx.app, 'patch', `/${appName}/users/${user.username}`, { password: 'qwerty123' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('weak_password');
    expect((await userRow(user.username))?.passwordHash).toBe(before);
  });
});

describe('DELETE /:app/users/:username', () => {
  it('deletes the user and their sessions', async () => {
    const user = await createUser(ctx.app, appName);
    await login(ctx.app, appName, user.username, user.password);
    const id = (await userRow(user.username))?.id;
    const res = await admin(ctx.app, 'delete', `/${appName}/users/${user.username}`);
    expect(res.status).toBe(204);
    expect(await userRow(user.username)).toBeNull();
    expect(await ctx.models.Session.count({ where: { userId: id } })).toBe(0);
  });
});

describe('DELETE /:app/users/:username/sessions', () => {
  it('revokes every refresh token of the user', async () => {
    const user = await createUser(ctx.app, appName);
    await login(ctx.app, appName, user.username, user.password);
    await login(ctx.app, appName, user.username, user.password);
    const id = (await userRow(user.username))?.id;
    expect(await ctx.models.Session.count({ where: { userId: id, revokedAt: null } })).toBe(2);
    const res = await admin(ctx.app, 'delete', `/${appName}/users/${user.username}/sessions`);
    expect(res.status).toBe(204);
    expect(await ctx.models.Session.count({ where: { userId: id, revokedAt: null } })).toBe(0);
  });
});

describe('all users: /users and /users/:uid', () => {
  it('creates with {app, ...}, reads, patches and deletes by uid', async () => {
    const app = await createApplication(ctx.app);
    const username = uniqueName('bob');
    const created = await admin(ctx.app, 'post', '/users', { app: app.name, username, password: GOOD_PASSWORD });
    expect(created.status).toBe(201);
    expect(created.body.app).toBe(app.name);
    const uid = created.body.uid;

    const shown = await admin(ctx.app, 'get', `/users/${uid}`);
    expect(shown.body).toMatchObject({ uid, username, app: app.name });

    const patched = await admin(ctx.app, 'patch', `/users/${uid}`, { role: 'owner' });
    expect(patched.body.role).toBe('owner');
    expect((await ctx.models.User.findOne({ where: { uid } }))?.role).toBe('owner');

    expect((await admin(ctx.app, 'delete', `/users/${uid}`)).status).toBe(204);
    expect(await ctx.models.User.count({ where: { uid } })).toBe(0);
    expect((await admin(ctx.app, 'get', `/users/${uid}`)).status).toBe(404);
  });

  it('lists every application, or one with ?app=', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const all = await admin(ctx.app, 'get', '/users?limit=1000');
    expect(Number(all.headers['x-total-count'])).toBe(await ctx.models.User.count());
    const filtered = await admin(ctx.app, 'get', `/users?app=${app.name}`);
    expect(filtered.body).toEqual([expect.objectContaining({ username: user.username, app: app.name })]);
    expect((await admin(ctx.app, 'get', '/users?app=nope')).status).toBe(404);
  });

  it('answers 404 for a uid that is not a UUID or unknown', async () => {
    expect((await admin(ctx.app, 'get', '/users/1')).status).toBe(404);
    expect((await admin(ctx.app, 'get', '/users/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect(
      (await admin(ctx.app, 'post', '/users', { app: 'nope', username: 'x', password: GOOD_PASSWORD })).status,
    ).toBe(404);
  });
});

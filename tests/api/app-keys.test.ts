import crypto from 'node:crypto';
import type { Express } from 'express';
import pino from 'pino';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import type { AppKeyScope } from '../../src/shared/constants';
import { captureStream } from '../helpers/capture';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, uniqueName } from '../helpers/factories';

// Application keys: an application's backend manages its own users, within the key's scopes.
let ctx: TestContext;
const logs = captureStream();
beforeAll(async () => {
  const logger = pino({ level: 'debug' }, logs.stream);
  ctx = await createTestContext({}, { logger });
});
afterAll(async () => ctx.close());

type Created = { id: string; key: string; label: string; scopes: AppKeyScope[]; created_at: string };

async function newKey(appName: string, scopes: AppKeyScope[], label = 'backend'): Promise<Created> {
  const res = await admin(ctx.app, 'post', `/applications/${appName}/keys`, { label, scopes });
  expect(res.status).toBe(201);
  return res.body as Created;
}

const withKey = (key: string, method: 'get' | 'post' | 'patch' | 'delete', path: string, app: Express = ctx.app) =>
  request(app)[method](path).set('Authorization', `AppKey ${key}`);

describe('POST /applications/:name/keys', () => {
  it('answers the key once, and stores only its SHA-256', async () => {
    const app = await createApplication(ctx.app);

    const created = await newKey(app.name, ['users:read', 'mfa:reset'], 'billing backend');

    expect(created).toEqual({
      id: expect.any(String),
      key: expect.stringMatching(/^jawth_ak_[A-Za-z0-9_-]{43}$/),
      label: 'billing backend',
      scopes: ['users:read', 'mfa:reset'],
      created_at: expect.any(String),
    });
    const rows = await ctx.db.query<Record<string, unknown>>('SELECT * FROM application_keys WHERE id = $1', {
      bind: [created.id],
      type: QueryTypes.SELECT,
    });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(JSON.stringify(rows)).not.toContain(created.key.slice('jawth_ak_'.length));
    expect(rows[0].key_hash).toBe(crypto.createHash('sha256').update(created.key).digest('hex'));
  });

  it('refuses an unknown scope, an empty list and a missing label (400)', async () => {
    const app = await createApplication(ctx.app);
    for (const data of [
      { label: 'x', scopes: ['users:admin'] },
      { label: 'x', scopes: [] },
      { scopes: ['users:read'] },
    ]) {
      const res = await admin(ctx.app, 'post', `/applications/${app.name}/keys`, data);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
    }
  });

  it('lists the keys without the keys themselves, and 404s an unknown application', async () => {
    const app = await createApplication(ctx.app);
    const created = await newKey(app.name, ['users:read']);

    const list = await admin(ctx.app, 'get', `/applications/${app.name}/keys`);

    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      { id: created.id, label: 'backend', scopes: ['users:read'], created_at: created.created_at },
    ]);
    expect(list.headers['x-total-count']).toBe('1');
    expect((await admin(ctx.app, 'get', `/applications/${uniqueName('none')}/keys`)).status).toBe(404);
  });
});

describe('Authorization: AppKey', () => {
  it('lets a users:write key create, change, read and delete its application users', async () => {
    const app = await createApplication(ctx.app);
    const { key } = await newKey(app.name, ['users:read', 'users:write']);
    const username = uniqueName('u');

    const created = await withKey(key, 'post', `/${app.name}/users`).send({ username, password: GOOD_PASSWORD });
    const changed = await withKey(key, 'patch', `/${app.name}/users/${username}`).send({ disabled: true });
    const read = await withKey(key, 'get', `/${app.name}/users/${username}`);
    const revoked = await withKey(key, 'delete', `/${app.name}/users/${username}/sessions`);
    const deleted = await withKey(key, 'delete', `/${app.name}/users/${username}`);

    expect([created.status, changed.status, read.status, revoked.status, deleted.status]).toEqual([
      201, 200, 200, 204, 204,
    ]);
    expect(read.body.disabled).toBe(true);
    expect(await ctx.models.User.findOne({ where: { username } })).toBeNull();
  });

  it('refuses writes to a users:read key (403) and leaves the user as it was', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const { key } = await newKey(app.name, ['users:read']);

    const list = await withKey(key, 'get', `/${app.name}/users`);
    const sessions = await withKey(key, 'get', `/${app.name}/users/${user.username}/sessions`);
    const refused = [
      await withKey(key, 'post', `/${app.name}/users`).send({ username: uniqueName('u'), password: GOOD_PASSWORD }),
      await withKey(key, 'patch', `/${app.name}/users/${user.username}`).send({ disabled: true }),
      await withKey(key, 'delete', `/${app.name}/users/${user.username}`),
      await withKey(key, 'delete', `/${app.name}/users/${user.username}/sessions`),
      await withKey(key, 'delete', `/${app.name}/users/${user.username}/mfa`),
    ];

    expect([list.status, sessions.status]).toEqual([200, 200]);
    expect(list.body.map((u: { username: string }) => u.username)).toEqual([user.username]);
    expect(refused.map((res) => [res.status, res.body.error])).toEqual(refused.map(() => [403, 'forbidden']));
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    expect(row?.disabled).toBe(false);
  });

  it('lets an mfa:reset key remove a second factor and nothing else', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const { key } = await newKey(app.name, ['mfa:reset']);

    const reset = await withKey(key, 'delete', `/${app.name}/users/${user.username}/mfa`);

    // Past the key's check: the user has no factor to remove (404), rather than a refusal (403).
    expect([reset.status, reset.body.error]).toEqual([404, 'second_factor_not_found']);
    expect((await withKey(key, 'get', `/${app.name}/users/${user.username}`)).status).toBe(403);
  });

  it("cannot touch another application's users, nor any other admin route (403)", async () => {
    const mine = await createApplication(ctx.app);
    const other = await createApplication(ctx.app);
    const stranger = await createUser(ctx.app, other.name);
    const { key, id } = await newKey(mine.name, ['users:read', 'users:write', 'mfa:reset']);

    const refused = [
      await withKey(key, 'get', `/${other.name}/users`),
      await withKey(key, 'get', `/${other.name}/users/${stranger.username}`),
      await withKey(key, 'delete', `/${other.name}/users/${stranger.username}`),
      await withKey(key, 'post', `/${other.name}/users`).send({ username: uniqueName('u'), password: GOOD_PASSWORD }),
      await withKey(key, 'get', '/users'),
      await withKey(key, 'get', `/users/${stranger.uid}`),
      await withKey(key, 'delete', `/users/${stranger.uid}`),
      await withKey(key, 'post', '/users').send({ app: mine.name, username: uniqueName('u'), password: GOOD_PASSWORD }),
      await withKey(key, 'get', '/applications'),
      await withKey(key, 'get', `/applications/${mine.name}?include_secret=true`),
      await withKey(key, 'get', `/applications/${mine.name}/keys`),
      await withKey(key, 'post', `/applications/${mine.name}/keys`).send({ label: 'more', scopes: ['users:write'] }),
      await withKey(key, 'delete', `/applications/${mine.name}/keys/${id}`),
      await withKey(key, 'delete', `/applications/${mine.name}`),
      await withKey(key, 'get', '/audit'),
      await withKey(key, 'get', `/${mine.name}/groups`),
      await withKey(key, 'post', '/orgs').send({ name: uniqueName('org') }),
      await withKey(key, 'get', '/stats'),
    ];

    expect(refused.map((res) => [res.status, res.body.error])).toEqual(refused.map(() => [403, 'forbidden']));
    expect(await ctx.models.User.findOne({ where: { uid: stranger.uid } })).not.toBeNull();
    expect((await admin(ctx.app, 'get', `/applications/${mine.name}/keys`)).body).toHaveLength(1);
  });

  it('refuses an unknown or malformed key with 401', async () => {
    const app = await createApplication(ctx.app);
    const forged = `jawth_ak_${crypto.randomBytes(32).toString('base64url')}`;
    for (const key of [forged, 'not-a-key', `${forged}x`]) {
      const res = await withKey(key, 'get', `/${app.name}/users`);
      expect([res.status, res.body.error]).toEqual([401, 'unauthorized']);
    }
  });
});

describe('DELETE /applications/:name/keys/:id', () => {
  it('stops the key at once, on this instance and on another sharing the database', async () => {
    const app = await createApplication(ctx.app);
    const second = await ctx.secondInstance();
    const { key, id } = await newKey(app.name, ['users:read']);
    expect((await withKey(key, 'get', `/${app.name}/users`, second)).status).toBe(200);

    const revoked = await admin(ctx.app, 'delete', `/applications/${app.name}/keys/${id}`);

    expect(revoked.status).toBe(204);
    expect((await withKey(key, 'get', `/${app.name}/users`)).status).toBe(401);
    expect((await withKey(key, 'get', `/${app.name}/users`, second)).status).toBe(401);
    expect((await admin(ctx.app, 'get', `/applications/${app.name}/keys`)).body).toEqual([]);
    expect((await admin(ctx.app, 'delete', `/applications/${app.name}/keys/${id}`)).status).toBe(404);
  });

  it('refuses all of 50 parallel uses right after the revocation', async () => {
    const app = await createApplication(ctx.app);
    const second = await ctx.secondInstance();
    const { key, id } = await newKey(app.name, ['users:read']);
    expect((await withKey(key, 'get', `/${app.name}/users`)).status).toBe(200);

    expect((await admin(second, 'delete', `/applications/${app.name}/keys/${id}`)).status).toBe(204);
    const uses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => withKey(key, 'get', `/${app.name}/users`, i % 2 ? ctx.app : second)),
    );

    expect(uses.map((res) => res.status)).toEqual(uses.map(() => 401));
  });

  it('goes with its application: deleting the application deletes its keys', async () => {
    const app = await createApplication(ctx.app);
    const { key, id } = await newKey(app.name, ['users:read']);

    expect((await admin(ctx.app, 'delete', `/applications/${app.name}`)).status).toBe(204);

    expect((await withKey(key, 'get', `/${app.name}/users`)).status).toBe(401);
    const rows = await ctx.db.query('SELECT id FROM application_keys WHERE id = $1', {
      bind: [id],
      type: QueryTypes.SELECT,
    });
    expect(rows).toEqual([]);
  });

  it("cannot revoke a key through another application's name (404)", async () => {
    const mine = await createApplication(ctx.app);
    const other = await createApplication(ctx.app);
    const { key, id } = await newKey(mine.name, ['users:read']);

    expect((await admin(ctx.app, 'delete', `/applications/${other.name}/keys/${id}`)).status).toBe(404);
    expect((await withKey(key, 'get', `/${mine.name}/users`)).status).toBe(200);
  });
});

describe('the audit log and the request log', () => {
  it('record every call made with a key (reads too, refused ones too) under the key, never the key itself', async () => {
    const app = await createApplication(ctx.app);
    const { key, id } = await newKey(app.name, ['users:write']);
    const username = uniqueName('u');

    await withKey(key, 'post', `/${app.name}/users`).send({ username, password: GOOD_PASSWORD });
    await withKey(key, 'get', `/${app.name}/users/${username}`);
    await admin(ctx.app, 'get', `/${app.name}/users/${username}`);
    await withKey(key, 'delete', `/${app.name}/users/${username}`);
    await withKey(key, 'delete', '/orgs/anything');
    expect((await withKey(key, 'get', '/audit')).status).toBe(403);
    await admin(ctx.app, 'delete', `/applications/${app.name}/keys/${id}`);

    const actor = `appkey:${id}:backend`;
    const entries = await ctx.models.AuditEntry.findAll({ where: { app: app.name }, order: [['id', 'ASC']] });
    expect(entries.map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['signed_request', 'application.create', 'success'],
      ['signed_request', 'application.key_create', 'success'],
      [actor, 'user.create', 'success'],
      [actor, 'user.read', 'failure'],
      [actor, 'user.delete', 'success'],
      ['signed_request', 'application.key_revoke', 'success'],
    ]);
    const reader = await newKey(app.name, ['users:read'], 'reader');
    expect((await withKey(reader.key, 'get', `/${app.name}/users`)).status).toBe(200);
    const read = await ctx.models.AuditEntry.findOne({ where: { action: 'user.list', app: app.name } });
    expect([read?.actor, read?.outcome]).toEqual([`appkey:${reader.id}:reader`, 'success']);
    const refused = await ctx.models.AuditEntry.findOne({ where: { action: 'org.delete', actor } });
    expect(refused?.outcome).toBe('failure');
    const outside = await ctx.models.AuditEntry.findOne({ where: { action: 'application_key.refused', actor } });
    expect(outside?.outcome).toBe('failure');
    const secretPart = key.slice('jawth_ak_'.length);
    expect(JSON.stringify(await ctx.models.AuditEntry.findAll())).not.toContain(secretPart);
    expect(logs.text()).toContain(`/${app.name}/users`);
    expect(logs.text()).not.toContain(secretPart);
  });
});

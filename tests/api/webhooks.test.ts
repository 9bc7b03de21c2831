import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { WEBHOOK_EVENTS } from '../../src/shared/constants';
import { admin, adminToken, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, login, uniqueName } from '../helpers/factories';

// Webhooks through the API: endpoints, their secret shown once, the SSRF guard, and the events
// the user services queue in the transaction of their change.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ webhookAllowPrivate: true, loginMaxFailures: 3 });
});
afterAll(async () => ctx.close());

type Created = { id: string; url: string; events: string[]; secret: string; created_at: string; updated_at: string };

async function newWebhook(
  appName: string,
  events: readonly string[] = WEBHOOK_EVENTS,
  url = 'http://127.0.0.1:9/hooks',
): Promise<Created> {
  const res = await admin(ctx.app, 'post', `/applications/${appName}/webhooks`, { url, events });
  expect(res.status).toBe(201);
  return res.body as Created;
}

/** The payloads queued for the endpoint, oldest first, read from the database. */
async function queued(webhookId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const rows = await ctx.db.query<{ payload: string }>(
    'SELECT payload FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id',
    { bind: [webhookId], type: QueryTypes.SELECT },
  );
  return rows.map((row) => JSON.parse(row.payload) as { type: string; data: Record<string, unknown> });
}

describe('POST /applications/:name/webhooks', () => {
  it('answers the signing secret once (whsec_), stores it sealed, and never shows it again', async () => {
    const app = await createApplication(ctx.app);

    const created = await newWebhook(app.name, ['user.created', 'user.deleted']);

    expect(created).toEqual({
      id: expect.any(String),
      url: 'http://127.0.0.1:9/hooks',
      events: ['user.created', 'user.deleted'],
      disabled: false,
      disabled_at: null,
      disabled_reason: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const rows = await ctx.db.query<Record<string, unknown>>('SELECT * FROM webhooks WHERE id = $1', {
      bind: [created.id],
      type: QueryTypes.SELECT,
    });
    expect(rows).toHaveLength(1);
    const secretKey = created.secret.slice('whsec_'.length);
    expect(JSON.stringify(rows)).not.toContain(secretKey);
    expect(String(rows[0].secret_sealed)).toMatch(/^v1\./);
    const list = await admin(ctx.app, 'get', `/applications/${app.name}/webhooks`);
    const one = await admin(ctx.app, 'get', `/applications/${app.name}/webhooks/${created.id}`);
    expect(list.status).toBe(200);
    expect(list.headers['x-total-count']).toBe('1');
    const shown = { ...created, secret: undefined };
    delete shown.secret;
    expect(list.body).toEqual([shown]);
    expect(one.body).toEqual(shown);
    expect(list.text + one.text).not.toContain(secretKey);
  });

  it('refuses a URL that is not http(s), an unknown or repeated event, no events and unknown fields (400)', async () => {
    const app = await createApplication(ctx.app);
    for (const data of [
      { url: 'ftp://example.com/hooks', events: ['user.created'] },
      { url: 'not a url', events: ['user.created'] },
      { url: 'https://example.com/hooks', events: ['user.exploded'] },
      { url: 'https://example.com/hooks', events: ['user.created', 'user.created'] },
      { url: 'https://example.com/hooks', events: [] },
      { url: 'https://example.com/hooks', events: ['user.created'], secret: 'whsec_mine' },
      { events: ['user.created'] },
    ]) {
      const res = await admin(ctx.app, 'post', `/applications/${app.name}/webhooks`, data);
      expect([res.status, res.body.error]).toEqual([400, 'validation_failed']);
    }
    expect((await admin(ctx.app, 'get', `/applications/${app.name}/webhooks`)).body).toEqual([]);
  });

  it('accepts the sign-up and recovery events among the events', async () => {
    const app = await createApplication(ctx.app);
    const created = await newWebhook(app.name, ['user.signup_confirmation_requested', 'user.recovery_requested']);
    expect(created.events).toEqual(['user.signup_confirmation_requested', 'user.recovery_requested']);
  });

  it('refuses private, loopback, link-local and unique-local URLs without WEBHOOK_ALLOW_PRIVATE, at create and patch', async () => {
    const app = await createApplication(ctx.app);
    const hook = await newWebhook(app.name);
    ctx.config.webhookAllowPrivate = false;
    try {
      for (const url of [
        'http://127.0.0.1:8080/hooks',
        'http://localhost/hooks',
        'http://[::1]/hooks',
        'http://10.1.2.3/hooks',
        'http://192.168.0.10/hooks',
        'http://169.254.169.254/latest/meta-data',
        'http://[fd00::1]/hooks',
        'http://[fe80::1]/hooks',
        'http://[::ffff:127.0.0.1]/hooks',
        'http://0.0.0.0/hooks',
      ]) {
        const res = await admin(ctx.app, 'post', `/applications/${app.name}/webhooks`, {
          url,
          events: ['user.created'],
        });
        expect([url, res.status, res.body.error]).toEqual([url, 400, 'validation_failed']);
        expect(res.body.message).toMatch(/private or loopback address.*WEBHOOK_ALLOW_PRIVATE=true/);
        expect(res.body.details).toEqual([{ field: 'url', message: expect.stringContaining('private') }]);
        const patched = await admin(ctx.app, 'patch', `/applications/${app.name}/webhooks/${hook.id}`, { url });
        expect([url, patched.status]).toEqual([url, 400]);
      }
    } finally {
      ctx.config.webhookAllowPrivate = true;
    }
    const rows = await ctx.db.query(
      'SELECT id FROM webhooks WHERE application_id = (SELECT id FROM applications WHERE name = $1)',
      {
        bind: [app.name],
        type: QueryTypes.SELECT,
      },
    );
    expect(rows).toHaveLength(1);
    expect((await admin(ctx.app, 'get', `/applications/${app.name}/webhooks/${hook.id}`)).body.url).toBe(hook.url);
  });

  it('answers malformed and oversized bodies with a 4xx JSON error', async () => {
    const app = await createApplication(ctx.app);
    const path = `/applications/${app.name}/webhooks`;
    const auth = `jwt ${adminToken({ method: 'POST', path, data: {} })}`;
    const malformed = await request(ctx.app)
      .post(path)
      .set('auth', auth)
      .set('Content-Type', 'application/json')
      .send('{"url":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: 'invalid_json', message: expect.any(String) });
    const oversized = await request(ctx.app)
      .post(path)
      .set('auth', auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ url: `https://example.com/${'a'.repeat(64 * 1024)}`, events: ['user.created'] }));
    expect(oversized.status).toBe(413);
    expect(oversized.body.error).toBe('payload_too_large');
    const tooLongUrl = await admin(ctx.app, 'post', path, {
      url: `https://example.com/${'a'.repeat(3000)}`,
      events: ['user.created'],
    });
    expect([tooLongUrl.status, tooLongUrl.body.error]).toEqual([400, 'validation_failed']);
  });
});

describe('GET, PATCH, DELETE /applications/:name/webhooks/:id', () => {
  it('changes the events and URL, deletes the endpoint with its deliveries, and 404s what is not there', async () => {
    const app = await createApplication(ctx.app);
    const hook = await newWebhook(app.name, ['user.created']);
    await createUser(ctx.app, app.name);

    const patched = await admin(ctx.app, 'patch', `/applications/${app.name}/webhooks/${hook.id}`, {
      events: ['user.deleted'],
      url: 'https://example.com/other',
    });

    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: hook.id, url: 'https://example.com/other', events: ['user.deleted'] });
    expect(patched.body.secret).toBeUndefined();
    await createUser(ctx.app, app.name); // no longer subscribed
    expect((await queued(hook.id)).map((p) => p.type)).toEqual(['user.created']);
    const empty = await admin(ctx.app, 'patch', `/applications/${app.name}/webhooks/${hook.id}`, {});
    expect(empty.status).toBe(400);

    expect((await admin(ctx.app, 'delete', `/applications/${app.name}/webhooks/${hook.id}`)).status).toBe(204);
    expect((await admin(ctx.app, 'get', `/applications/${app.name}/webhooks/${hook.id}`)).status).toBe(404);
    expect((await admin(ctx.app, 'delete', `/applications/${app.name}/webhooks/${hook.id}`)).status).toBe(404);
    expect(await queued(hook.id)).toEqual([]);
    expect((await admin(ctx.app, 'get', `/applications/${uniqueName('none')}/webhooks`)).status).toBe(404);
  });

  it('keeps an endpoint to its application: another application cannot reach it', async () => {
    const app = await createApplication(ctx.app);
    const other = await createApplication(ctx.app);
    const hook = await newWebhook(app.name);
    expect((await admin(ctx.app, 'get', `/applications/${other.name}/webhooks/${hook.id}`)).status).toBe(404);
    expect((await admin(ctx.app, 'delete', `/applications/${other.name}/webhooks/${hook.id}`)).status).toBe(404);
    expect((await admin(ctx.app, 'get', `/applications/${app.name}/webhooks/${hook.id}`)).status).toBe(200);
  });

  it('is for admins only: an application key of the same application is refused (403)', async () => {
    const app = await createApplication(ctx.app);
    const hook = await newWebhook(app.name);
    const key = await admin(ctx.app, 'post', `/applications/${app.name}/keys`, {
      label: 'backend',
      scopes: ['users:read', 'users:write', 'mfa:reset'],
    });
    const agent = request(ctx.app);
    const withKey = (method: 'get' | 'post' | 'patch' | 'delete', path: string) =>
      agent[method](path).set('Authorization', `AppKey ${key.body.key as string}`);
    const base = `/applications/${app.name}/webhooks`;
    for (const res of [
      await withKey('get', base),
      await withKey('post', base).send({ url: 'https://example.com/x', events: ['user.created'] }),
      await withKey('get', `${base}/${hook.id}`),
      await withKey('patch', `${base}/${hook.id}`).send({ events: ['user.created'] }),
      await withKey('delete', `${base}/${hook.id}`),
      await withKey('post', `${base}/${hook.id}/test`),
      await withKey('get', `${base}/${hook.id}/deliveries`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('forbidden');
    }
    expect((await request(ctx.app).get(base)).status).toBe(401);
    expect((await admin(ctx.app, 'get', `${base}/${hook.id}`)).body.events).toEqual(WEBHOOK_EVENTS);
  });
});

describe('POST /applications/:name/webhooks/:id/test', () => {
  it('queues a webhook.test delivery to that endpoint only, listed pending with no attempt yet', async () => {
    const app = await createApplication(ctx.app);
    const hook = await newWebhook(app.name, ['user.deleted']);
    const other = await newWebhook(app.name, ['user.deleted']);

    const res = await admin(ctx.app, 'post', `/applications/${app.name}/webhooks/${hook.id}/test`);

    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      type: 'webhook.test',
      status: 'pending',
      attempts: [],
    });
    const deliveries = await admin(ctx.app, 'get', `/applications/${app.name}/webhooks/${hook.id}/deliveries`);
    expect(deliveries.body).toEqual([res.body]);
    expect(await queued(hook.id)).toEqual([
      { type: 'webhook.test', timestamp: expect.any(String), data: { app: app.name, webhook: hook.id } },
    ]);
    expect(await queued(other.id)).toEqual([]);
  });
});

describe('events queued by the user services', () => {
  it('user.created, user.updated, user.disabled, user.password_changed and user.deleted, with who, never a password or hash', async () => {
    const app = await createApplication(ctx.app);
    const hook = await newWebhook(app.name);
    const user = await createUser(ctx.app, app.name);
    const byApp = `/${app.name}/users/${user.username}`;

    await admin(ctx.app, 'patch', byApp, { role: 'editor' });
    await admin(ctx.app, 'patch', `/users/${user.uid}`, { disabled: true });
    await admin(ctx.app, 'patch', byApp, { disabled: true }); // already disabled: no second ban
    await admin(ctx.app, 'patch', byApp, { password: 'another-good-passphrase-9' });
    await admin(ctx.app, 'delete', byApp);

    const who = { app: app.name, uid: user.uid, username: user.username };
    const payloads = await queued(hook.id);
    expect(payloads.map((p) => [p.type, p.data])).toEqual([
      ['user.created', { ...who, role: 'user' }],
      ['user.updated', { ...who, changes: ['role'] }],
      ['user.updated', { ...who, changes: ['disabled'] }],
      ['user.disabled', who],
      ['user.updated', { ...who, changes: ['disabled'] }],
      ['user.updated', { ...who, changes: ['password'] }],
      ['user.password_changed', who],
      ['user.deleted', who],
    ]);
    const text = JSON.stringify(payloads);
    expect(text).not.toContain(GOOD_PASSWORD);
    expect(text).not.toContain('another-good-passphrase-9');
    expect(text).not.toMatch(/\$2[aby]\$/);
  });

  it('POST /users and DELETE /users/:uid queue too, and an application without endpoints queues nothing', async () => {
    const app = await createApplication(ctx.app);
    const quiet = await createApplication(ctx.app);
    const hook = await newWebhook(app.name, ['user.created', 'user.deleted']);
    const created = await admin(ctx.app, 'post', '/users', { app: app.name, username: 'ada', password: GOOD_PASSWORD });
    await admin(ctx.app, 'delete', `/users/${created.body.uid as string}`);
    await createUser(ctx.app, quiet.name);

    expect((await queued(hook.id)).map((p) => p.type)).toEqual(['user.created', 'user.deleted']);
    const all = await ctx.db.query(
      'SELECT COUNT(*) AS n FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.application_id = (SELECT id FROM applications WHERE name = $1)',
      {
        bind: [quiet.name],
        type: QueryTypes.SELECT,
      },
    );
    expect(Number((all[0] as { n: number }).n)).toBe(0);
  });

  it('queues nothing when the change fails: the event is written in the change transaction', async () => {
    const app = await createApplication(ctx.app);
    const hook = await newWebhook(app.name);
    const user = await createUser(ctx.app, app.name);

    const unknownGroup = await admin(ctx.app, 'post', `/${app.name}/users`, {
      username: uniqueName('u'),
      password: GOOD_PASSWORD,
      groups: ['no-such-group'],
    });
    const duplicate = await admin(ctx.app, 'post', `/${app.name}/users`, {
      username: user.username,
      password: GOOD_PASSWORD,
    });
    const badPatch = await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, {
      disabled: true,
      groups: ['no-such-group'],
    });

    expect([unknownGroup.status, duplicate.status, badPatch.status]).toEqual([400, 409, 400]);
    expect((await queued(hook.id)).map((p) => p.type)).toEqual(['user.created']);
    const still = await admin(ctx.app, 'get', `/${app.name}/users/${user.username}`);
    expect(still.body.disabled).toBe(false);
  });

  it('session.revoked for one session and for all; user.password_changed on change_password', async () => {
    const app = await createApplication(ctx.app);
    const hook = await newWebhook(app.name, ['session.revoked', 'user.password_changed']);
    const user = await createUser(ctx.app, app.name);
    await login(ctx.app, app.name, user.username, user.password);
    const sessions = await admin(ctx.app, 'get', `/${app.name}/users/${user.username}/sessions`);
    const family = sessions.body[0].id as string;

    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions/${family}`);
    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`);
    const relogin = await login(ctx.app, app.name, user.username, user.password);
    const changed = await request(ctx.app)
      .post(`/${app.name}/${user.username}/change_password`)
      .set('Authorization', `Bearer ${relogin.body.token as string}`)
      .send({ password: 'another-good-passphrase-9', repeated_password: 'another-good-passphrase-9' });
    expect(changed.status).toBe(200);

    const who = { app: app.name, uid: user.uid, username: user.username };
    expect((await queued(hook.id)).map((p) => [p.type, p.data])).toEqual([
      ['session.revoked', { ...who, session: family }],
      ['session.revoked', { ...who, session: null }],
      ['user.password_changed', who],
    ]);
    expect(JSON.stringify(await queued(hook.id))).not.toContain(relogin.body.token as string);
  });

  it('refresh_token.reused when a spent refresh token comes back after the grace', async () => {
    const app = await createApplication(ctx.app);
    const hook = await newWebhook(app.name, ['refresh_token.reused']);
    const user = await createUser(ctx.app, app.name);
    const first = await login(ctx.app, app.name, user.username, user.password);
    const spent = first.body.refresh_token as string;
    expect((await request(ctx.app).post(`/${app.name}/refresh`).send({ refresh_token: spent })).status).toBe(200);
    expect(await queued(hook.id)).toEqual([]); // a rotation queues nothing
    ctx.clock.advance(ctx.config.refreshReuseGrace + 1);

    const reused = await request(ctx.app).post(`/${app.name}/refresh`).send({ refresh_token: spent });

    expect(reused.body.error).toBe('refresh_token_reused');
    const payloads = await queued(hook.id);
    expect(payloads.map((p) => [p.type, p.data])).toEqual([
      ['refresh_token.reused', { app: app.name, uid: user.uid, username: user.username, session: expect.any(String) }],
    ]);
    expect(JSON.stringify(payloads)).not.toContain(spent);
  });

  it('user.locked_out once, when the limiter locks the user out', async () => {
    const app = await createApplication(ctx.app);
    const hook = await newWebhook(app.name, ['user.locked_out']);
    const user = await createUser(ctx.app, app.name);

    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1)
      statuses.push((await login(ctx.app, app.name, user.username, 'wrong-password')).status);
    await login(ctx.app, app.name, 'nobody-here', 'wrong-password');

    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await queued(hook.id)).map((p) => [p.type, p.data])).toEqual([
      ['user.locked_out', { app: app.name, uid: user.uid, username: user.username, ip: expect.any(String) }],
    ]);
  });
});

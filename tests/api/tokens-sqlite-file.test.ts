import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';

// On a SQLite file the token hot path reads through read-only connections of its own
// (src/db/sqlite-readers.ts): what the main connection commits must be seen at once.
let ctx: TestContext;
beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-file-'));
  ctx = await createTestContext({}, { sqliteFile: path.join(dir, 'jawth.sqlite') });
});
afterAll(async () => ctx.close());

const access = (namespace: string, refresh_token: string) =>
  request(ctx.app).post('/token/access/5m').send({ namespace, refresh_token });
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('token endpoints on a SQLite file', () => {
  it('read through the read-only connections', () => {
    expect(ctx.deps.readers.usable).toBe(true);
  });

  it('see group changes, revocation and disabling on the very next request', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const refresh = (
      await request(ctx.app)
        .post('/token/refresh/1h')
        .send({ namespace: app.name, username: user.username, password: user.password })
    ).body.token as string;
    expect((await access(app.name, refresh)).status).toBe(200);

    await admin(ctx.app, 'post', `/${app.name}/groups`, { name: 'staff' });
    await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, { groups: ['staff'] });
    expect(claimsOf((await access(app.name, refresh)).body.token).groups).toEqual(['staff']);

    // Each reader's prepared statement, used again and again, must not keep an old snapshot.
    const statuses = async () =>
      (await Promise.all([1, 2, 3, 4].map(() => access(app.name, refresh)))).map((r) => r.status);
    expect(await statuses()).toEqual([200, 200, 200, 200]);
    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`).expect(204);
    expect(await statuses()).toEqual([401, 401, 401, 401]);

    const other = await createUser(ctx.app, app.name);
    const login = await request(ctx.app)
      .post(`/${app.name}/login`)
      .send({ username: other.username, password: other.password });
    expect((await access(app.name, login.body.refresh_token)).status).toBe(200);
    await admin(ctx.app, 'patch', `/${app.name}/users/${other.username}`, { disabled: true });
    expect((await access(app.name, login.body.refresh_token)).status).toBe(401);
  });

  it('rotate refresh tokens and detect reuse after the grace', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const login = await request(ctx.app)
      .post(`/${app.name}/login`)
      .send({ username: user.username, password: user.password });
    const next = await request(ctx.app).post(`/${app.name}/refresh`).send({ refresh_token: login.body.refresh_token });
    expect(next.status).toBe(200);
    ctx.clock.advance(ctx.config.refreshReuseGrace + 1);
    const reused = await request(ctx.app)
      .post(`/${app.name}/refresh`)
      .send({ refresh_token: login.body.refresh_token });
    expect(reused.body.error).toBe('refresh_token_reused');
    expect((await access(app.name, next.body.refresh_token)).status).toBe(401);
  });
});

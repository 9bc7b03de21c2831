import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { verifyToken } from '../../src/crypto/jwt';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createUser, GOOD_PASSWORD, login } from '../helpers/factories';

// One process, two SQLite files, two Deps and two apps (an export from one into the other, or a
// test, holds both): an application of the same name lives in each, with its own secret, users
// and origins. Every write, read and cache of one must stay with it; both files being new, their
// rows have the same ids too, so a cache keyed by id or name alone would mix them up.
const SHOP = 'shop';
const SECRETS = ['first-database-secret-that-is-long-enough', 'second-database-secret-that-is-long-enough'];
const ORIGINS = ['https://one.example', 'https://two.example'];

let one: TestContext;
let two: TestContext;
let alice: { username: string; password: string }[];

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-two-'));
  [one, two] = await Promise.all(
    ['one', 'two'].map((name) => createTestContext({}, { sqliteFile: path.join(dir, `${name}.sqlite`) })),
  );
  alice = [];
  for (const [i, ctx] of [one, two].entries()) {
    await admin(ctx.app, 'post', '/applications', {
      name: SHOP,
      secret: SECRETS[i],
      cors_origins: [ORIGINS[i]],
    }).expect(201);
    alice.push(await createUser(ctx.app, SHOP, { username: 'alice', password: `${GOOD_PASSWORD}-${i}` }));
  }
  // A second user in the second database only.
  await createUser(two.app, SHOP);
});
afterAll(async () => Promise.all([one?.close(), two?.close()]));

const claimsOf = (token: string, secret: string) => verifyToken(token, secret, { now: Date.now() / 1000 + 1 });

describe('two databases in one process', () => {
  it('have model classes of their own', () => {
    expect(one.models.Application).not.toBe(two.models.Application);
    expect(one.models.Application.sequelize).toBe(one.db);
    expect(two.models.User.sequelize).toBe(two.db);
  });

  it('when the same user logs in to each, then each answers with its own password and secret', async () => {
    const first = await login(one.app, SHOP, 'alice', alice[0].password).expect(200);
    const second = await login(two.app, SHOP, 'alice', alice[1].password).expect(200);

    expect(claimsOf(first.body.token, SECRETS[0])).toMatchObject({ app: SHOP, username: 'alice' });
    expect(claimsOf(second.body.token, SECRETS[1])).toMatchObject({ app: SHOP, username: 'alice' });
    expect(() => claimsOf(first.body.token, SECRETS[1])).toThrow();
    // The other database's password is wrong here.
    await login(one.app, SHOP, 'alice', alice[1].password).expect(401);
    // The login was recorded in its own database only.
    const rows = await Promise.all([one, two].map((ctx) => ctx.models.User.findOne({ where: { username: 'alice' } })));
    expect(rows.map((row) => row?.lastLoginAt)).toEqual([expect.any(Date), expect.any(Date)]);
    expect(rows[0]?.uid).not.toBe(rows[1]?.uid);
  });

  it('when both issue access tokens for an application of the same name, then each uses its own application', async () => {
    const refresh = async (ctx: TestContext, i: number) =>
      (
        await request(ctx.app)
          .post('/token/refresh/1h')
          .send({ namespace: SHOP, username: 'alice', password: alice[i].password })
          .expect(200)
      ).body.token as string;
    const tokens = [await refresh(one, 0), await refresh(two, 1)];
    // The first answer puts the first database's application in a cache; the second must not read it.
    const access = async (ctx: TestContext, token: string) =>
      request(ctx.app).post('/token/access/5m').send({ namespace: SHOP, refresh_token: token });
    const first = await access(one, tokens[0]);
    const second = await access(two, tokens[1]);

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(claimsOf(first.body.token, SECRETS[0]).username).toBe('alice');
    expect(claimsOf(second.body.token, SECRETS[1]).username).toBe('alice');
    // A refresh token of one database means nothing to the other.
    expect((await access(two, tokens[0])).status).toBe(401);
  });

  it('when a browser of one application asks, then only that database lets its origin in', async () => {
    const preflight = (ctx: TestContext, origin: string) =>
      request(ctx.app).options(`/${SHOP}/login`).set('Origin', origin).set('Access-Control-Request-Method', 'POST');

    expect((await preflight(one, ORIGINS[0])).headers['access-control-allow-origin']).toBe(ORIGINS[0]);
    expect((await preflight(two, ORIGINS[0])).headers['access-control-allow-origin']).toBeUndefined();
    expect((await preflight(two, ORIGINS[1])).headers['access-control-allow-origin']).toBe(ORIGINS[1]);
  });

  it('when both list the users of their application, then each counts its own', async () => {
    // Same application id in both files: a shared count cache would hand the second the first's total.
    const first = await admin(one.app, 'get', `/${SHOP}/users`).expect(200);
    const second = await admin(two.app, 'get', `/${SHOP}/users`).expect(200);

    expect([first.headers['x-total-count'], second.headers['x-total-count']]).toEqual(['1', '2']);
    expect(second.body).toHaveLength(2);
  });

  it('when an application is deleted in one, then the other keeps its own and still serves it', async () => {
    await admin(one.app, 'delete', `/applications/${SHOP}`).expect(204);

    await login(one.app, SHOP, 'alice', alice[0].password).expect(401);
    await login(two.app, SHOP, 'alice', alice[1].password).expect(200);
    expect(await one.models.Application.count()).toBe(0);
    expect(await two.models.Application.count()).toBe(1);
  });
});

import request from 'supertest';
import type { Express } from 'express';
import { QueryTypes } from 'sequelize';
import { admin, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, login, uniqueName } from '../helpers/factories';
import { mailingServer } from '../helpers/mailing-server';
import { linkIn, type TestSmtp } from '../helpers/smtp';

// A change of a user's password, e-mail or `disabled` voids every pending reset and confirmation
// link, whichever route makes it; a reset checks `disabled` again.
let ctx: TestContext;
let smtp: TestSmtp;
let app: Express;
const server = mailingServer();
const PUBLIC_URL = 'https://shop.example.com/account';
const NEW_PASSWORD = 'another-good-passphrase-9';

beforeAll(async () => ({ ctx, smtp, app } = await server.start()));
afterAll(() => server.stop());

const rows = (sql: string, bind: unknown[] = []) =>
  ctx.db.query<Record<string, unknown>>(sql, { bind, type: QueryTypes.SELECT });
const tokensOf = (uid: string) =>
  rows(
    `SELECT t.purpose FROM one_use_tokens t JOIN users u ON u.id = t.user_id WHERE u.uid = $1 AND t.purpose IN ('confirm', 'reset')`,
    [uid],
  );
const hashOf = async (uid: string) => (await rows('SELECT password_hash FROM users WHERE uid = $1', [uid]))[0];
const email = () => `${uniqueName('v')}@example.com`;
const reset = (name: string, token: string) =>
  request(app).post(`/${name}/reset`).send({ token, password: NEW_PASSWORD });

/** A user with an address and a pending reset link (mailed). */
async function withResetLink(name: string) {
  const address = email();
  const user = await createUser(app, name, { email: address });
  expect((await request(app).post(`/${name}/recover`).send({ username: user.username })).status).toBe(202);
  const { token } = linkIn(await smtp.mailTo(address));
  expect(await tokensOf(user.uid)).toEqual([{ purpose: 'reset' }]);
  return { ...user, address, token, hash: await hashOf(user.uid) };
}

async function newKey(name: string) {
  const res = await admin(app, 'post', `/applications/${name}/keys`, { label: 'backend', scopes: ['users:write'] });
  return res.body.key as string;
}

describe('a pending reset link', () => {
  const changes: [string, (name: string, user: { uid: string; username: string }) => Promise<number>][] = [
    ['disabled by an admin', async (_, u) => (await admin(app, 'patch', `/users/${u.uid}`, { disabled: true })).status],
    [
      'a new password by an admin',
      async (_, u) => (await admin(app, 'patch', `/users/${u.uid}`, { password: NEW_PASSWORD })).status,
    ],
    [
      'a new e-mail by an admin',
      async (n, u) => (await admin(app, 'patch', `/${n}/users/${u.username}`, { email: email() })).status,
    ],
    [
      'disabled through an application key',
      async (n, u) =>
        (
          await request(app)
            .patch(`/${n}/users/${u.username}`)
            .set('Authorization', `AppKey ${await newKey(n)}`)
            .send({ disabled: true })
        ).status,
    ],
    [
      'a new password by change_password',
      async (n, u) => {
        const token = (await login(app, n, u.username, GOOD_PASSWORD)).body.token as string;
        const body = { password: NEW_PASSWORD, repeated_password: NEW_PASSWORD };
        return (await request(app).post(`/${n}/${u.username}/change_password`).set('auth', `jwt ${token}`).send(body))
          .status;
      },
    ],
  ];

  it.each(changes)('is void after %s, in the same change', async (_, change) => {
    const { name } = await createApplication(app, { recovery: 'on', public_url: PUBLIC_URL });
    const user = await withResetLink(name);

    expect(await change(name, user)).toBe(200);

    expect(await tokensOf(user.uid)).toEqual([]);
    const res = await reset(name, user.token);
    expect([res.status, res.body.error]).toEqual([401, 'invalid_token']);
  });

  it('still works after a change of nothing that matters (a role, the same address)', async () => {
    const { name } = await createApplication(app, { recovery: 'on', public_url: PUBLIC_URL });
    const user = await withResetLink(name);

    expect((await admin(app, 'patch', `/users/${user.uid}`, { role: 'editor', email: user.address })).status).toBe(200);

    expect((await reset(name, user.token)).status).toBe(200);
    expect(await tokensOf(user.uid)).toEqual([]);
  });

  it('resets nothing for a user disabled since, however it came to be disabled', async () => {
    const { name } = await createApplication(app, { recovery: 'on', public_url: PUBLIC_URL });
    const user = await withResetLink(name);
    // A path that left the token (an import, a direct change): the reset looks at `disabled` itself.
    await ctx.db.query('UPDATE users SET disabled = $1 WHERE uid = $2', { bind: [true, user.uid] });

    const res = await reset(name, user.token);

    expect([res.status, res.body.error]).toEqual([401, 'invalid_token']);
    expect(await hashOf(user.uid)).toEqual(user.hash);
  });
});

describe('a pending confirmation link', () => {
  it('is void after an admin sets the password or the address of the unconfirmed account', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const links = [];
    for (const patch of [{ password: NEW_PASSWORD }, { email: email() }]) {
      const address = email();
      const res = await request(app)
        .post(`/${name}/signup`)
        .send({ username: uniqueName('s'), password: GOOD_PASSWORD, email: address });
      const { token } = linkIn(await smtp.mailTo(address));
      expect((await admin(app, 'patch', `/users/${res.body.uid}`, patch)).status).toBe(200);
      expect(await tokensOf(res.body.uid as string)).toEqual([]);
      links.push(token);
    }
    for (const token of links) expect((await request(app).post(`/${name}/confirm`).send({ token })).status).toBe(401);
  });
});

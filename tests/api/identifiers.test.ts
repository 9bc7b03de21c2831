import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { decodeClaimsForTest } from '../helpers/claims';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, login, uniqueName } from '../helpers/factories';

// Identifiers (usernames, roles, group and org names) are NFC and hold no invisible or
// direction-changing character (RFC 8265 PRECIS IdentifierClass), in every way in.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ loginMaxFailuresPerIp: 1_000_000 });
});
afterAll(async () => ctx.close());

const FORMAT_CHARACTERS = [
  ['a zero-width space', 'own\u200Ber'],
  ['a right-to-left override', 'admin\u202Etxt.exe'],
  ['a word joiner', 'own\u2060er'],
  ['a zero-width joiner', 'own\u200Der'],
  ['a byte order mark', '\uFEFFowner'],
  ['a soft hyphen', 'ow\u00ADner'],
  ['a left-to-right mark', 'owner\u200E'],
];

const usernames = async (appName: string) =>
  (
    await ctx.db.query<{ username: string }>(
      'SELECT u.username FROM users u JOIN applications a ON a.id = u.application_id WHERE a.name = $1',
      { bind: [appName], type: QueryTypes.SELECT },
    )
  ).map((row) => row.username);

describe('a username with a format character (\\p{Cf})', () => {
  it.each(FORMAT_CHARACTERS)('holding %s is refused by the admin API with 400, nothing stored', async (_what, name) => {
    const app = await createApplication(ctx.app);

    const res = await admin(ctx.app, 'post', `/${app.name}/users`, {
      username: name,
      password: GOOD_PASSWORD,
    });

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.details).toEqual([{ field: 'username', message: expect.stringContaining('invisible') }]);
    expect(await usernames(app.name)).toEqual([]);
  });

  it.each(FORMAT_CHARACTERS)('holding %s is refused at sign-up with 400, nothing stored', async (_what, name) => {
    const app = await createApplication(ctx.app, { signup: 'open' });

    const res = await request(ctx.app).post(`/${app.name}/signup`).send({ username: name, password: GOOD_PASSWORD });

    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'username', message: expect.stringContaining('invisible') }]);
    expect(await usernames(app.name)).toEqual([]);
  });

  it('is refused as a new name for a user, and as a role or a group name', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const path = `/${app.name}/users/${user.username}`;

    for (const change of [{ username: 'own\u200Ber' }, { role: 'admin\u200B' }, { groups: ['staff\u202E'] }]) {
      const res = await admin(ctx.app, 'patch', path, change);
      expect(res.status).toBe(400);
    }
    expect(await usernames(app.name)).toEqual([user.username]);
  });

  it('at a login answers like an unknown user: 401 invalid_credentials', async () => {
    const app = await createApplication(ctx.app);
    await createUser(ctx.app, app.name, { username: 'owner', password: GOOD_PASSWORD });

    const invisible = await login(ctx.app, app.name, 'own\u200Ber', GOOD_PASSWORD);
    const unknown = await login(ctx.app, app.name, 'nobody', GOOD_PASSWORD);

    expect(invisible.status).toBe(401);
    expect(invisible.body).toEqual(unknown.body);
  });
});

describe('usernames are stored, compared and issued as NFC', () => {
  const composed = 'ren\u00E9'; // é as one code point
  const decomposed = 'rene\u0301'; // e + combining acute accent

  it('a name given decomposed is stored composed; the composed spelling is then taken, and either logs in', async () => {
    const app = await createApplication(ctx.app);

    const created = await admin(ctx.app, 'post', `/${app.name}/users`, {
      username: decomposed,
      password: GOOD_PASSWORD,
    });
    expect(created.status).toBe(201);
    expect(created.body.username).toBe(composed);
    expect(await usernames(app.name)).toEqual([composed]);

    const again = await admin(ctx.app, 'post', `/${app.name}/users`, {
      username: composed,
      password: GOOD_PASSWORD,
    });
    expect(again.status).toBe(409);

    for (const typed of [composed, decomposed]) {
      const res = await login(ctx.app, app.name, typed, GOOD_PASSWORD);
      expect(res.status).toBe(200);
      expect(decodeClaimsForTest(res.body.token as string).username).toBe(composed);
    }
    const read = await admin(ctx.app, 'get', `/${app.name}/users/${encodeURIComponent(decomposed)}`);
    expect(read.status).toBe(200);
    expect(read.body.username).toBe(composed);
  });

  it('at sign-up too', async () => {
    const app = await createApplication(ctx.app, { signup: 'open' });
    const name = `${uniqueName('zoe')}\u0308`; // a combining diaeresis on the last digit stays a mark: NFC keeps it

    const first = await request(ctx.app)
      .post(`/${app.name}/signup`)
      .send({ username: decomposed, password: GOOD_PASSWORD });
    const second = await request(ctx.app)
      .post(`/${app.name}/signup`)
      .send({ username: composed, password: GOOD_PASSWORD });
    const third = await request(ctx.app).post(`/${app.name}/signup`).send({ username: name, password: GOOD_PASSWORD });

    expect(first.status).toBe(201);
    expect(first.body.username).toBe(composed);
    expect(second.status).toBe(409);
    expect(third.status).toBe(201);
    expect((await usernames(app.name)).sort()).toEqual([composed, name.normalize('NFC')].sort());
  });
});

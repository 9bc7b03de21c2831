import request, { type Response } from 'supertest';
import type { Express } from 'express';
import { QueryTypes } from 'sequelize';
import type { TestContext } from '../helpers/context';
import { createApplication, createUser, uniqueName } from '../helpers/factories';
import { mailingServer } from '../helpers/mailing-server';
import { linkIn, type TestSmtp } from '../helpers/smtp';

// At most 3 recovery mails per user an hour: past it the answer is still 202 and the link
// already sent stays the valid one.
let ctx: TestContext;
let smtp: TestSmtp;
let app: Express;
const server = mailingServer();
const { background } = server;
const PUBLIC_URL = 'https://shop.example.com/reset';

beforeAll(async () => ({ ctx, smtp, app } = await server.start()));
afterAll(() => server.stop());

const tokenHashes = (uid: string) =>
  ctx.db.query<{ token_hash: string }>(
    `SELECT t.token_hash FROM one_use_tokens t JOIN users u ON u.id = t.user_id WHERE u.uid = $1 AND t.purpose IN ('confirm', 'reset')`,
    { bind: [uid], type: QueryTypes.SELECT },
  );
const mailsTo = (address: string) => smtp.received().filter((m) => JSON.stringify(m.to).includes(address)).length;
const strip = (res: Response) => ({ status: res.status, body: res.body as unknown });

describe('POST /:app/recover for one user, 12 times in an hour', () => {
  it('mails 3 links; the others answer the same 202 and leave the third link valid', async () => {
    const { name } = await createApplication(app, { recovery: 'on', public_url: PUBLIC_URL });
    const address = `${uniqueName('q')}@example.com`;
    const user = await createUser(app, name, { email: address });

    const first = [];
    for (let i = 0; i < 3; i++) {
      first.push(await request(app).post(`/${name}/recover`).send({ email: address }));
      await background.idle();
    }
    const links = [];
    for (let i = 0; i < 3; i++) links.push(linkIn(await smtp.mailTo(address)).token);
    const stored = await tokenHashes(user.uid);
    const more = [];
    for (let i = 0; i < 9; i++)
      more.push(await request(app).post(`/${name}/recover`).send({ username: user.username }));
    await background.idle();

    for (const res of [...first, ...more]) expect(strip(res)).toEqual({ status: 202, body: { status: 'accepted' } });
    expect(mailsTo(address)).toBe(3);
    expect(await tokenHashes(user.uid)).toEqual(stored);
    expect(stored).toHaveLength(1);
    const res = await request(app)
      .post(`/${name}/reset`)
      .send({ token: links[2], password: 'another-good-passphrase-9' });
    expect(res.status).toBe(200);
  });

  it('counts per user: another user of the same application still gets a mail', async () => {
    const { name } = await createApplication(app, { recovery: 'on', public_url: PUBLIC_URL });
    const [a, b] = [`${uniqueName('q')}@example.com`, `${uniqueName('q')}@example.com`];
    await createUser(app, name, { email: a });
    await createUser(app, name, { email: b });

    for (let i = 0; i < 4; i++) await request(app).post(`/${name}/recover`).send({ email: a });
    await request(app).post(`/${name}/recover`).send({ email: b });
    await background.idle();

    expect([mailsTo(a), mailsTo(b)]).toEqual([3, 1]);
  });
});

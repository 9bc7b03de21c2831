import request from 'supertest';
import type { Express } from 'express';
import { QueryTypes } from 'sequelize';
import type { TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, uniqueName } from '../helpers/factories';
import { mailingServer } from '../helpers/mailing-server';
import { linkIn, type TestSmtp } from '../helpers/smtp';

// The sign-up and recovery limits when the requests arrive all at once, as a script sends them.
let ctx: TestContext;
let smtp: TestSmtp;
let app: Express;
const server = mailingServer();
const { background } = server;
const PUBLIC_URL = 'https://shop.example.com/account';
const PER_IP = 5;

beforeAll(async () => ({ ctx, smtp, app } = await server.start({ loginMaxFailuresPerIp: PER_IP, trustProxy: true })));
afterAll(() => server.stop());

const from = (ip: string) => ({ 'X-Forwarded-For': ip });
const email = () => `${uniqueName('b')}@example.com`;
const usersOf = async (appName: string) =>
  ctx.db.query<{ username: string; email: string | null }>(
    'SELECT u.username, u.email FROM users u JOIN applications a ON a.id = u.application_id WHERE a.name = $1',
    { bind: [appName], type: QueryTypes.SELECT },
  );

describe('sign-ups sent at once', () => {
  it('30 from one IP with a taken address: LOGIN_MAX_FAILURES_PER_IP of them are judged, the rest get 429', async () => {
    const { name } = await createApplication(app, { signup: 'open' });
    const taken = email();
    await createUser(app, name, { email: taken });

    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        request(app)
          .post(`/${name}/signup`)
          .set(from('198.51.100.70'))
          .send({ username: `burst-${i}`, password: GOOD_PASSWORD, email: taken }),
      ),
    );

    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 409)).toHaveLength(PER_IP);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - PER_IP);
    expect(await usersOf(name)).toHaveLength(1);
  });

  it('two for one address in confirm mode: one account holds it, and only its link confirms', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const address = email();

    const answers = await Promise.all(
      ['first', 'second'].map((who, i) =>
        request(app)
          .post(`/${name}/signup`)
          .set(from(`198.51.100.${80 + i}`))
          .send({ username: `${who}-${uniqueName('s')}`, password: GOOD_PASSWORD, email: address }),
      ),
    );
    await background.idle();

    expect(answers.map((res) => res.status)).toEqual([201, 201]);
    const holders = (await usersOf(name)).filter((u) => u.email === address);
    expect(holders).toHaveLength(1);
    const mails = smtp.received().filter((m) => JSON.stringify(m.to).includes(address));
    // One after the other, the second replaced the first (whose link then confirms nothing); at
    // the same instant, the loser got the notice for an address in use, with no link.
    const links = mails.filter((m) => /#token=/.test(m.text ?? '')).map((m) => linkIn(m).token);
    const confirmed = await Promise.all(links.map((token) => request(app).post(`/${name}/confirm`).send({ token })));
    expect(confirmed.filter((res) => res.status === 200)).toHaveLength(1);
    const [holder] = await ctx.db.query<{ disabled: unknown }>(
      'SELECT u.disabled FROM users u JOIN applications a ON a.id = u.application_id WHERE a.name = $1 AND u.email = $2',
      { bind: [name, address], type: QueryTypes.SELECT },
    );
    expect(Boolean(holder.disabled)).toBe(false);
  });
});

describe('recovery requests sent at once', () => {
  it('12 for one user from 12 IPs: 3 mails, every answer the same 202', async () => {
    const { name } = await createApplication(app, { recovery: 'on', public_url: PUBLIC_URL });
    const address = email();
    await createUser(app, name, { email: address });

    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        request(app)
          .post(`/${name}/recover`)
          .set(from(`203.0.113.${100 + i}`))
          .send({ email: address }),
      ),
    );
    await background.idle();

    expect(answers.map((res) => [res.status, res.body])).toEqual(Array(12).fill([202, { status: 'accepted' }]));
    expect(smtp.received().filter((m) => JSON.stringify(m.to).includes(address))).toHaveLength(3);
  });
});

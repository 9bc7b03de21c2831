import pino from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import { QueryTypes } from 'sequelize';
import { createApp } from '../../src/app';
import { BackgroundTasks } from '../../src/infra/background';
import { runDeliveries } from '../../src/services/webhook-delivery.service';
import { captureStream } from '../helpers/capture';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, login, uniqueName } from '../helpers/factories';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp';
import { startReceiver } from '../helpers/webhook-receiver';

// Sign-up (off, open, confirm) and the confirmation by e-mail, through a real SMTP server.
let ctx: TestContext;
let limited: TestContext;
let smtp: TestSmtp;
let app: Express;
/** The work after the answers (mails); a failure there fails the file (see afterAll). */
const failedTasks: unknown[] = [];
const background = new BackgroundTasks({ error: (...args: unknown[]) => void failedTasks.push(args) } as never);
const logs = captureStream();
const PUBLIC_URL = 'https://shop.example.com/account';

beforeAll(async () => {
  smtp = await startSmtp();
  const logger = pino({ level: 'debug' }, logs.stream);
  // First: admin requests are dated by the clock of the latest context, ctx's (moved below).
  limited = await createTestContext({ loginMaxFailuresPerIp: 3 });
  ctx = await createTestContext(
    { smtpUrl: smtp.url, mailFrom: 'Shop <accounts@shop.example.com>', loginMaxFailuresPerIp: 1_000_000 },
    { logger },
  );
  app = createApp({ ...ctx.deps, background });
});
afterAll(async () => {
  await background.idle();
  expect(failedTasks).toEqual([]);
  await limited.close();
  await ctx.close();
  await smtp.close();
});

const rows = (sql: string, bind: unknown[] = []) =>
  ctx.db.query<Record<string, unknown>>(sql, { bind, type: QueryTypes.SELECT });
const userRow = async (uid: string) => (await rows('SELECT id, disabled, email FROM users WHERE uid = $1', [uid]))[0];
const tokensOf = async (uid: string) =>
  rows(
    `SELECT t.purpose, t.token_hash FROM one_use_tokens t JOIN users u ON u.id = t.user_id WHERE u.uid = $1 AND t.purpose IN ('confirm', 'reset')`,
    [uid],
  );
const email = () => `${uniqueName('m')}@example.com`;
const signup = (name: string, body: object) => request(app).post(`/${name}/signup`).send(body);
const confirm = (name: string, token: string) => request(app).post(`/${name}/confirm`).send({ token });

describe('POST /:app/signup when sign-up is off (the default)', () => {
  it('answers 404 for signup and confirm alike, as for an unknown application', async () => {
    const { name } = await createApplication(app);
    const off = await signup(name, { username: 'alice', password: GOOD_PASSWORD });
    const unknown = await signup(uniqueName('none'), { username: 'alice', password: GOOD_PASSWORD });
    const badName = await signup('Not An App', { username: 'alice', password: GOOD_PASSWORD });
    const confirmOff = await confirm(name, 'x'.repeat(43));

    for (const res of [off, unknown, badName, confirmOff]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'signup_disabled', message: off.body.message });
    }
    expect(await rows('SELECT id FROM users WHERE username = $1', ['alice'])).toEqual([]);
  });
});

describe('POST /:app/signup when sign-up is open', () => {
  it('creates an enabled user who can log in, with the e-mail given', async () => {
    const { name } = await createApplication(app, { signup: 'open' });
    const address = email();

    const res = await signup(name, { username: 'bob', password: GOOD_PASSWORD, email: address });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({ uid: expect.any(String), username: 'bob' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await userRow(res.body.uid as string)).toMatchObject({ email: address });
    expect(Boolean((await userRow(res.body.uid as string)).disabled)).toBe(false);
    expect((await login(app, name, 'bob', GOOD_PASSWORD)).status).toBe(200);
    expect(await tokensOf(res.body.uid as string)).toEqual([]);
  });

  it('refuses a common password (weak_password) and a short one, creating nobody', async () => {
    const { name } = await createApplication(app, { signup: 'open' });
    const common = await signup(name, { username: 'carol', password: 'password123' });
    const short = await signup(name, { username: 'carol', password: 'abc' });

    expect(common.status).toBe(400);
    expect(common.body.error).toBe('weak_password');
    expect(short.status).toBe(400);
    expect(short.body.error).toBe('validation_failed');
    expect(await ctx.models.User.count({ where: { username: 'carol' } })).toBe(0);
  });

  it('answers 409 for a username or an e-mail address (ignoring case) already taken, and 400 for an invalid one', async () => {
    const { name } = await createApplication(app, { signup: 'open' });
    const address = email();
    expect((await signup(name, { username: 'dan', password: GOOD_PASSWORD, email: address })).status).toBe(201);

    const sameName = await signup(name, { username: 'dan', password: GOOD_PASSWORD });
    const sameEmail = await signup(name, { username: 'dave', password: GOOD_PASSWORD, email: address.toUpperCase() });
    const invalid = await signup(name, { username: 'dora', password: GOOD_PASSWORD, email: 'not-an-address' });

    expect([sameName.status, sameEmail.status, invalid.status]).toEqual([409, 409, 400]);
    expect([sameName.body.error, sameEmail.body.error]).toEqual(['username_taken', 'email_taken']);
    expect(invalid.body.details).toEqual([{ field: 'email', message: expect.any(String) }]);
    expect(await ctx.models.User.count({ where: { username: 'dave' } })).toBe(0);
    // Another application may have a user with the same address.
    const other = await createApplication(app, { signup: 'open' });
    expect((await signup(other.name, { username: 'dan', password: GOOD_PASSWORD, email: address })).status).toBe(201);
  });

  it('is limited per IP like a login, every sign-up counting: the next answers 429 with Retry-After', async () => {
    const { name } = await createApplication(limited.app, { signup: 'open' });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (
          await request(limited.app)
            .post(`/${name}/signup`)
            .send({ username: `u${i}`, password: GOOD_PASSWORD })
        ).status,
      );
    }
    const refused = await request(limited.app)
      .post(`/${name}/signup`)
      .send({ username: 'u9', password: GOOD_PASSWORD });

    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await limited.models.User.count()).toBe(3);
  });
});

describe('sign-up in confirm mode, through the mail', () => {
  it('creates the account disabled, mails a one-use link to public_url, and the link enables it', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const address = email();

    const res = await signup(name, { username: 'erin', password: GOOD_PASSWORD, email: address });

    expect(res.status).toBe(201);
    const uid = res.body.uid as string;
    expect(Boolean((await userRow(uid)).disabled)).toBe(true);
    expect((await login(app, name, 'erin', GOOD_PASSWORD)).status).toBe(401);
    const mail = await smtp.mailTo(address);
    expect(mail.from?.value).toEqual([{ name: 'Shop', address: 'accounts@shop.example.com' }]);
    expect(mail.to).toMatchObject({ value: [{ address }] });
    expect(mail.subject).toBe(`Confirm your account on ${name}`);
    expect(mail.html).toBe(false);
    const { link, token } = linkIn(mail);
    expect(link.startsWith(`${PUBLIC_URL}#token=`)).toBe(true);
    expect(token).toMatch(/^[\w-]{43}$/);
    const [stored] = await tokensOf(uid);
    expect(stored.purpose).toBe('confirm');
    expect(stored.token_hash).not.toBe(token);
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);

    const confirmed = await confirm(name, token);

    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ uid, username: 'erin' });
    expect(Boolean((await userRow(uid)).disabled)).toBe(false);
    expect(await tokensOf(uid)).toEqual([]);
    expect((await login(app, name, 'erin', GOOD_PASSWORD)).status).toBe(200);
    const again = await confirm(name, token);
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_token');
  });

  it('requires an e-mail address', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const res = await signup(name, { username: 'fay', password: GOOD_PASSWORD });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'email', message: expect.any(String) }]);
    expect(await ctx.models.User.count({ where: { username: 'fay' } })).toBe(0);
  });

  it('refuses a token of another application, an expired one, and one after an admin disabled the account', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const other = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const [a, b, c] = [email(), email(), email()];
    await signup(name, { username: 'gus', password: GOOD_PASSWORD, email: a });
    await signup(name, { username: 'hal', password: GOOD_PASSWORD, email: b });
    const third = await signup(name, { username: 'ivy', password: GOOD_PASSWORD, email: c });
    const [first, second, last] = await Promise.all([smtp.mailTo(a), smtp.mailTo(b), smtp.mailTo(c)]);

    expect((await confirm(other.name, linkIn(first).token)).status).toBe(401);
    await admin(app, 'patch', `/users/${third.body.uid}`, { disabled: true });
    expect(await tokensOf(third.body.uid as string)).toEqual([]);
    expect((await confirm(name, linkIn(last).token)).status).toBe(401);
    ctx.clock.advance(24 * 3600 + 1);
    expect((await confirm(name, linkIn(second).token)).status).toBe(401);
    // The first token was not spent by its refusal elsewhere (but it has expired too now).
    expect(
      (
        await rows(
          `SELECT id FROM one_use_tokens WHERE purpose IN ('confirm', 'reset') AND user_id = (SELECT id FROM users WHERE username = $1)`,
          ['gus'],
        )
      ).length,
    ).toBe(1);
  });

  it('of 50 simultaneous uses of one confirmation token, exactly one succeeds', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const address = email();
    const res = await signup(name, { username: 'jay', password: GOOD_PASSWORD, email: address });
    const { token } = linkIn(await smtp.mailTo(address));

    const answers = await Promise.all(Array.from({ length: 50 }, () => confirm(name, token)));

    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(49);
    expect(await tokensOf(res.body.uid as string)).toEqual([]);
  });
});

describe('sign-up in confirm mode without SMTP', () => {
  it("queues the token to the application's webhooks in the sign-up's transaction; the application confirms with it", async () => {
    const noSmtpDeps = { ...ctx.deps, config: { ...ctx.deps.config, smtpUrl: undefined, webhookAllowPrivate: true } };
    const noSmtp = createApp({ ...noSmtpDeps, background });
    const receiver = await startReceiver();
    try {
      const { name } = await createApplication(noSmtp, { signup: 'confirm' });
      const hook = await admin(noSmtp, 'post', `/applications/${name}/webhooks`, {
        url: receiver.url,
        events: ['user.created', 'user.signup_confirmation_requested'],
      });
      const address = email();

      const res = await request(noSmtp)
        .post(`/${name}/signup`)
        .send({ username: 'kim', password: GOOD_PASSWORD, email: address });
      await background.idle();

      expect(res.status).toBe(201);
      expect(await tokensOf(res.body.uid as string)).toHaveLength(1);
      // The outbox holds the token-carrying payload sealed; the other as JSON.
      const stored = await ctx.db.query<{ type: string; payload: string }>(
        'SELECT type, payload FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id',
        { bind: [hook.body.id], type: QueryTypes.SELECT },
      );
      expect(stored.map((row) => row.type)).toEqual(['user.created', 'user.signup_confirmation_requested']);
      expect(stored[0].payload).toMatch(/^\{/);
      expect(stored[1].payload).toMatch(/^v1\./);
      expect(stored[1].payload).not.toContain(address);
      expect(await runDeliveries(noSmtpDeps)).toBe(2);
      const events = receiver.events(hook.body.secret as string, ctx.clock.now());
      expect(events.map((e) => e.type)).toEqual(['user.created', 'user.signup_confirmation_requested']);
      const { data } = events[1];
      expect(data).toMatchObject({ app: name, uid: res.body.uid, username: 'kim', email: address });
      expect(logs.text()).not.toContain(data.token);
      expect(stored[1].payload).not.toContain(data.token);
      expect((await confirm(name, data.token)).status).toBe(200);
      expect((await login(app, name, 'kim', GOOD_PASSWORD)).status).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});

describe('the configuration', () => {
  it('refuses signup "confirm" or recovery "on" without public_url while SMTP is configured', async () => {
    const confirmMode = await admin(app, 'post', '/applications', { name: uniqueName('app'), signup: 'confirm' });
    const recovery = await admin(app, 'post', '/applications', { name: uniqueName('app'), recovery: 'on' });
    const { name } = await createApplication(app, { recovery: 'on', public_url: PUBLIC_URL });
    const cleared = await admin(app, 'patch', `/applications/${name}`, { public_url: null });

    for (const res of [confirmMode, recovery, cleared]) {
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'public_url', message: expect.any(String) }]);
    }
  });

  it('never writes the SMTP password to the log', async () => {
    await background.idle();
    expect(logs.text()).toContain('account mail sent');
    expect(logs.text()).not.toContain(smtp.password);
  });
});

describe('the admin user API carries the e-mail address', () => {
  it('sets, shows, changes and clears it, unique per application ignoring case (409)', async () => {
    const { name } = await createApplication(app);
    const address = email();
    const created = await createUser(app, name, { email: address });
    const other = await createUser(app, name);

    expect((await admin(app, 'get', `/${name}/users/${created.username}`)).body.email).toBe(address);
    const taken = await admin(app, 'post', `/${name}/users`, {
      username: 'x1',
      password: GOOD_PASSWORD,
      email: address.toUpperCase(),
    });
    const takenByPatch = await admin(app, 'patch', `/${name}/users/${other.username}`, {
      email: address.toUpperCase(),
    });
    const samePatch = await admin(app, 'patch', `/users/${created.uid}`, { email: address.toUpperCase() });
    const cleared = await admin(app, 'patch', `/users/${created.uid}`, { email: null });

    expect([taken.status, takenByPatch.status, samePatch.status, cleared.status]).toEqual([409, 409, 200, 200]);
    expect(samePatch.body.email).toBe(address.toUpperCase());
    expect(cleared.body.email).toBeNull();
    expect((await userRow(other.uid)).email).toBeNull();
  });
});

import pino from 'pino';
import request, { type Response } from 'supertest';
import type { Express } from 'express';
import { QueryTypes } from 'sequelize';
import { createApp } from '../../src/app';
import { BackgroundTasks } from '../../src/infra/background';
import { runDeliveries } from '../../src/services/webhook-delivery.service';
import type { AppDeps } from '../../src/http/app-deps';
import { captureStream } from '../helpers/capture';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, login, uniqueName } from '../helpers/factories';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp';
import { startReceiver } from '../helpers/webhook-receiver';

// Password recovery (POST /:app/recover, /:app/reset) through a real SMTP server, and without one.
let ctx: TestContext;
let smtp: TestSmtp;
let app: Express;
/** The same database and limiter without SMTP: events go to the application's webhooks. */
let noSmtp: Express;
let noSmtpDeps: AppDeps;
/** SMTP_URL naming a port where nothing listens. */
let deadSmtp: Express;
/** The work after the answers (mails); a failure there fails the file (see afterAll). */
const failedTasks: unknown[] = [];
const background = new BackgroundTasks({ error: (...args: unknown[]) => void failedTasks.push(args) } as never);
const logs = captureStream();
const PUBLIC_URL = 'https://shop.example.com/reset';
const NEW_PASSWORD = 'another-good-passphrase-9';

beforeAll(async () => {
  smtp = await startSmtp();
  const logger = pino({ level: 'debug' }, logs.stream);
  ctx = await createTestContext({ smtpUrl: smtp.url, loginMaxFailuresPerIp: 1_000_000 }, { logger });
  app = createApp({ ...ctx.deps, background });
  const config = (smtpUrl: string | undefined) => ({ ...ctx.deps.config, smtpUrl, webhookAllowPrivate: true });
  noSmtpDeps = { ...ctx.deps, config: config(undefined) };
  noSmtp = createApp({ ...noSmtpDeps, background });
  deadSmtp = createApp({
    ...ctx.deps,
    config: config('smtp://mailer:dead-pass@127.0.0.1:1'),
    background,
  });
});
afterAll(async () => {
  await background.idle();
  expect(failedTasks).toEqual([]);
  await ctx.close();
  await smtp.close();
});

const rows = (sql: string, bind: unknown[] = []) =>
  ctx.db.query<Record<string, unknown>>(sql, { bind, type: QueryTypes.SELECT });
const resetTokens = (uid: string) =>
  rows(`SELECT t.id FROM one_use_tokens t JOIN users u ON u.id = t.user_id WHERE u.uid = $1 AND t.purpose = 'reset'`, [
    uid,
  ]);
const email = () => `${uniqueName('r')}@example.com`;
const recover = (on: Express, name: string, body: object) => request(on).post(`/${name}/recover`).send(body);
const reset = (name: string, token: string, password = NEW_PASSWORD) =>
  request(app).post(`/${name}/reset`).send({ token, password });

async function recoveryApp(fields: Record<string, unknown> = {}) {
  return createApplication(app, { recovery: 'on', public_url: PUBLIC_URL, ...fields });
}

/** A user with an address, logged in once (a session to revoke). */
async function userWithSession(name: string, fields: Record<string, unknown> = {}) {
  const address = email();
  const user = await createUser(app, name, { email: address, ...fields });
  const loggedIn = await login(app, name, user.username, user.password);
  expect(loggedIn.status).toBe(200);
  return { ...user, address, refreshToken: loggedIn.body.refresh_token as string };
}

/** What a caller sees of an answer, without what differs on every request. */
function visible(res: Response) {
  const headers = Object.fromEntries(
    Object.entries(res.headers as Record<string, string>).filter(([name]) => !['x-request-id', 'date'].includes(name)),
  );
  return { status: res.status, body: res.body as unknown, text: res.text, headers };
}

describe('POST /:app/recover and /:app/reset when recovery is off (the default)', () => {
  it('answer 404, as for an unknown application', async () => {
    const { name } = await createApplication(app);
    const answers = [
      await recover(app, name, { username: 'x' }),
      await recover(app, uniqueName('none'), { username: 'x' }),
      await reset(name, 'y'.repeat(43)),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'recovery_disabled', message: answers[0].body.message });
    }
  });
});

describe('POST /:app/recover', () => {
  it('answers a known and an unknown user with the same status, body and headers', async () => {
    const { name } = await recoveryApp();
    const user = await userWithSession(name);

    const known = await recover(app, name, { username: user.username });
    const unknown = await recover(app, name, { username: 'nobody-at-all' });
    const knownEmail = await recover(app, name, { email: user.address });
    const unknownEmail = await recover(app, name, { email: 'nobody@example.com' });

    expect(known.status).toBe(202);
    expect(known.body).toEqual({ status: 'accepted' });
    expect(known.headers['cache-control']).toBe('no-store');
    for (const res of [unknown, knownEmail, unknownEmail]) expect(visible(res)).toEqual(visible(known));
    await background.idle();
    // Two requests for the known user: only the latest token is kept.
    expect(await resetTokens(user.uid)).toHaveLength(1);
  });

  it('refuses a body naming both or neither (400), before anything else', async () => {
    const { name } = await recoveryApp();
    expect((await recover(app, name, { username: 'a', email: 'a@example.com' })).status).toBe(400);
    expect((await recover(app, name, {})).status).toBe(400);
  });

  it('sends nothing to a disabled user or a user without an address (still 202)', async () => {
    const { name } = await recoveryApp();
    const disabled = await userWithSession(name);
    await admin(app, 'patch', `/users/${disabled.uid}`, { disabled: true });
    const noAddress = await createUser(app, name);

    expect((await recover(app, name, { username: disabled.username })).status).toBe(202);
    expect((await recover(app, name, { username: noAddress.username })).status).toBe(202);
    await background.idle();

    expect(await resetTokens(disabled.uid)).toHaveLength(0);
    expect(smtp.received().filter((m) => m.to && JSON.stringify(m.to).includes(disabled.address))).toEqual([]);
  });

  it('answers 202 and logs the failure, without the token or the SMTP password, when the SMTP server is down', async () => {
    const { name } = await recoveryApp();
    const user = await userWithSession(name);

    const res = await recover(deadSmtp, name, { email: user.address });
    await background.idle();

    expect(res.status).toBe(202);
    expect(logs.text()).toContain('account mail not sent');
    expect(logs.text()).not.toContain('dead-pass');
    expect(await resetTokens(user.uid)).toHaveLength(1);
  });
});

describe('recovery through the mail', () => {
  it('mails a one-use reset link; the reset sets the password and revokes every session', async () => {
    const { name } = await recoveryApp();
    const user = await userWithSession(name);

    expect((await recover(app, name, { email: user.address.toUpperCase() })).status).toBe(202);
    const mail = await smtp.mailTo(user.address);
    const { link, token } = linkIn(mail);

    expect(mail.subject).toBe(`Reset your password on ${name}`);
    expect(link).toBe(`${PUBLIC_URL}#token=${token}`);
    const weak = await reset(name, token, 'password');
    expect(weak.status).toBe(400);
    expect(await resetTokens(user.uid)).toHaveLength(1);

    const res = await reset(name, token);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ uid: user.uid, username: user.username });
    expect(await resetTokens(user.uid)).toEqual([]);
    const live = await rows(
      'SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.uid = $1 AND s.revoked_at IS NULL',
      [user.uid],
    );
    expect(live).toEqual([]);
    expect((await request(app).post(`/${name}/refresh`).send({ refresh_token: user.refreshToken })).status).toBe(401);
    expect((await login(app, name, user.username, user.password)).status).toBe(401);
    expect((await login(app, name, user.username, NEW_PASSWORD)).status).toBe(200);
    const again = await reset(name, token, 'yet-another-passphrase-3');
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_token');
  });

  it('renders the application template with {{link}}, {{username}} and {{app}}, as text, values never expanded twice', async () => {
    const mail_templates = {
      recover: { subject: 'Reset for {{username}} at {{app}}', text: 'Hi {{username}} of {{app}}: {{link}} (done)' },
    };
    const { name } = await recoveryApp({ mail_templates });
    const username = '<b>{{link}}&amp;';
    const user = await userWithSession(name, { username });

    await recover(app, name, { username });
    const mail = await smtp.mailTo(user.address);
    const { link } = linkIn(mail);

    expect(mail.subject).toBe(`Reset for ${username} at ${name}`);
    expect(mail.text?.trim()).toBe(`Hi ${username} of ${name}: ${link} (done)`);
    expect(mail.html).toBe(false);
    const shown = await admin(app, 'get', `/applications/${name}`);
    expect(shown.body.mail_templates.recover).toEqual(mail_templates.recover);
    expect(shown.body.mail_templates.confirm.text).toContain('{{link}}');
  });

  it('refuses an expired token (after 30 minutes) and a confirmation token', async () => {
    const { name } = await recoveryApp({ signup: 'confirm' });
    const user = await userWithSession(name);
    await recover(app, name, { username: user.username });
    const { token } = linkIn(await smtp.mailTo(user.address));
    const signedUp = email();
    await request(app).post(`/${name}/signup`).send({ username: 'newbie', password: GOOD_PASSWORD, email: signedUp });
    const confirmation = linkIn(await smtp.mailTo(signedUp)).token;

    expect((await reset(name, confirmation)).status).toBe(401);
    ctx.clock.advance(30 * 60 + 1);
    expect((await reset(name, token)).status).toBe(401);
    ctx.clock.advance(-(30 * 60 + 1));
    expect((await login(app, name, user.username, user.password)).status).toBe(200);
  });

  it('of 50 simultaneous resets with one token, exactly one succeeds', async () => {
    const { name } = await recoveryApp();
    const user = await userWithSession(name);
    await recover(app, name, { username: user.username });
    const { token } = linkIn(await smtp.mailTo(user.address));

    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => reset(name, token, `${NEW_PASSWORD}-${i}`)));

    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(49);
    expect(await resetTokens(user.uid)).toEqual([]);
    const winner = answers.indexOf(won[0]);
    expect((await login(app, name, user.username, `${NEW_PASSWORD}-${winner}`)).status).toBe(200);
  });
});

describe('without SMTP', () => {
  it("queues the token to the application's webhooks with the token row, and the application resets with it", async () => {
    const receiver = await startReceiver();
    try {
      const { name } = await createApplication(noSmtp, { recovery: 'on' });
      const hook = await admin(noSmtp, 'post', `/applications/${name}/webhooks`, {
        url: receiver.url,
        events: ['user.recovery_requested'],
      });
      expect(hook.status).toBe(201);
      const user = await userWithSession(name);

      expect((await recover(noSmtp, name, { username: user.username })).status).toBe(202);
      await background.idle();
      expect(await resetTokens(user.uid)).toHaveLength(1);
      expect(await runDeliveries(noSmtpDeps)).toBe(1);

      const [event] = receiver.events<{
        type: string;
        data: { app: string; uid: string; username: string; email: string; token: string; expires_at: string };
      }>(hook.body.secret as string, ctx.clock.now());
      expect(event.type).toBe('user.recovery_requested');
      expect(event.data).toEqual({
        app: name,
        uid: user.uid,
        username: user.username,
        email: user.address,
        token: expect.any(String),
        expires_at: expect.any(String),
      });
      expect(logs.text()).not.toContain(event.data.token);
      // The outbox kept it sealed: a copy of the database holds no usable link.
      const [stored] = await ctx.db.query<{ payload: string }>(
        'SELECT payload FROM webhook_deliveries WHERE webhook_id = $1',
        { bind: [hook.body.id], type: QueryTypes.SELECT },
      );
      expect(stored.payload).toMatch(/^v1\./);
      expect(stored.payload).not.toContain(event.data.token);
      // The application mails its own link; the user follows it.
      expect((await reset(name, event.data.token)).status).toBe(200);
      expect((await login(app, name, user.username, NEW_PASSWORD)).status).toBe(200);
      expect(await resetTokens(user.uid)).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

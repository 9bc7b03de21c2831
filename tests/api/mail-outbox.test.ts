import net from 'node:net';
import request from 'supertest';
import type { Express } from 'express';
import { QueryTypes } from 'sequelize';
import { createApp } from '../../src/app';
import { BackgroundTasks } from '../../src/infra/background';
import { MAIL_ATTEMPTS, mailRetryDelay, runMailOutbox } from '../../src/services/mail.service';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, GOOD_PASSWORD, uniqueName } from '../helpers/factories';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp';

// docs/api.md, Sign-up, confirmation and recovery: account mails go through an outbox written
// with their token, so an SMTP outage delays a confirmation mail instead of stranding the account.
let ctx: TestContext;
let app: Express;
let port: number;
let smtp: TestSmtp | undefined;
const background = new BackgroundTasks({ error: () => undefined } as never);
const PUBLIC_URL = 'https://shop.example.com/account';

/** A port nothing listens on (yet): the SMTP server is down. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

beforeAll(async () => {
  port = await freePort();
  ctx = await createTestContext({ smtpUrl: `smtp://mailer:pw@127.0.0.1:${port}`, loginMaxFailuresPerIp: 1_000_000 });
  app = createApp({ ...ctx.deps, background });
});
afterEach(async () => {
  await background.idle();
  // Each test counts the mails it sends: what one leaves queued is not the next one's.
  await ctx.db.query("UPDATE mail_outbox SET status = 'failed' WHERE status = 'pending'");
  await smtp?.close();
  smtp = undefined;
});
afterAll(() => ctx.close());

const rows = (sql: string, bind: unknown[] = []) =>
  ctx.db.query<Record<string, unknown>>(sql, { bind, type: QueryTypes.SELECT });
const mailsTo = (address: string) =>
  rows(
    'SELECT kind, status, attempts, last_error, content_sealed, next_attempt_at FROM mail_outbox WHERE recipient = $1 ORDER BY id',
    [address],
  );
const email = () => `${uniqueName('m')}@example.com`;
const signup = async (name: string, address: string, username = uniqueName('u')) => {
  const res = await request(app).post(`/${name}/signup`).send({ username, password: GOOD_PASSWORD, email: address });
  await background.idle();
  return res;
};
const confirmApp = () => createApplication(app, { signup: 'confirm', recovery: 'on', public_url: PUBLIC_URL });

describe('an SMTP outage during a sign-up', () => {
  it('keeps the mail, sealed, and sends it once the server is back; its link then confirms the account', async () => {
    const { name } = await confirmApp();
    const address = email();
    const res = await signup(name, address);
    expect(res.status).toBe(201);

    const [queued] = await mailsTo(address);
    expect(queued).toMatchObject({ kind: 'confirm', status: 'pending', attempts: 1 });
    expect(String(queued.last_error)).toMatch(/ECONNREFUSED/);
    expect(String(queued.content_sealed)).not.toContain(PUBLIC_URL);

    // Not due yet: nothing is tried.
    smtp = await startSmtp(port);
    expect(await runMailOutbox(ctx.deps)).toBe(0);
    ctx.clock.advance(mailRetryDelay(1) / 1000);
    expect(await runMailOutbox(ctx.deps)).toBe(1);

    const { token } = linkIn(await smtp.mailTo(address));
    expect(await mailsTo(address)).toMatchObject([{ status: 'sent', attempts: 2, content_sealed: '' }]);
    const confirmed = await request(app).post(`/${name}/confirm`).send({ token });
    expect(confirmed.status).toBe(200);
    const [user] = await rows('SELECT disabled FROM users WHERE uid = $1', [res.body.uid]);
    expect(Boolean(user.disabled)).toBe(false);
    // Sent once: a later run sends nothing again.
    ctx.clock.advance(3600);
    expect(await runMailOutbox(ctx.deps)).toBe(0);
    expect(smtp.received()).toHaveLength(1);
  });

  it('tries a bounded number of times, each later than the one before, then gives the mail up', async () => {
    const { name } = await confirmApp();
    const address = email();
    await signup(name, address);
    const waits: number[] = [];
    for (let attempt = 1; attempt < MAIL_ATTEMPTS; attempt++) {
      const [before] = await mailsTo(address);
      waits.push(Number(before.next_attempt_at) - ctx.clock.now().getTime());
      ctx.clock.advance(mailRetryDelay(attempt) / 1000);
      await runMailOutbox(ctx.deps);
    }
    ctx.clock.advance(24 * 3600);
    await runMailOutbox(ctx.deps);
    expect(await mailsTo(address)).toMatchObject([{ status: 'failed', attempts: MAIL_ATTEMPTS, content_sealed: '' }]);
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    expect(waits[0]).toBeGreaterThan(0);
  });

  it('a reset mail is given up when its link would expire before the next try', async () => {
    const { name } = await confirmApp();
    const address = email();
    const res = await signup(name, address);
    await ctx.models.User.update({ disabled: false }, { where: { uid: res.body.uid as string } });
    await ctx.db.query(`DELETE FROM one_use_tokens WHERE purpose IN ('confirm', 'reset')`);
    await request(app).post(`/${name}/recover`).send({ email: address });
    await background.idle();
    for (let i = 1; i < MAIL_ATTEMPTS; i++) {
      ctx.clock.advance(mailRetryDelay(i) / 1000);
      await runMailOutbox(ctx.deps);
    }
    const recover = (await mailsTo(address)).filter((m) => m.kind === 'recover');
    expect(recover).toMatchObject([{ status: 'failed' }]);
    // 30 s, 1, 2, 4, 8 min: the next wait (16 min) ends past the link's 30 minutes.
    expect(Number(recover[0].attempts)).toBeLessThan(MAIL_ATTEMPTS);
  });
});

describe('an unconfirmed account whose mail was lost', () => {
  it('gets a new confirmation link from /recover; the old link is void', async () => {
    const { name } = await confirmApp();
    const address = email();
    const res = await signup(name, address);
    smtp = await startSmtp(port);
    ctx.clock.advance(mailRetryDelay(1) / 1000);
    await runMailOutbox(ctx.deps);
    const first = linkIn(await smtp.mailTo(address)).token;

    expect((await request(app).post(`/${name}/recover`).send({ email: address })).status).toBe(202);
    await background.idle();
    const second = linkIn(await smtp.mailTo(address)).token;
    expect(second).not.toBe(first);
    const old = await request(app).post(`/${name}/confirm`).send({ token: first });
    expect(old.status).toBe(401);
    expect(old.body.error).toBe('invalid_token');
    expect((await request(app).post(`/${name}/confirm`).send({ token: second })).status).toBe(200);
    const [user] = await rows('SELECT disabled FROM users WHERE uid = $1', [res.body.uid]);
    expect(Boolean(user.disabled)).toBe(false);
  });

  it('gets at most 3 such links an hour', async () => {
    const { name } = await confirmApp();
    const address = email();
    await signup(name, address);
    for (let i = 0; i < 6; i++) await request(app).post(`/${name}/recover`).send({ email: address });
    await background.idle();
    expect(await mailsTo(address)).toHaveLength(1 + 3);
  });

  it('asked 10 times at once: at most 3 new links, and only one confirmation token left', async () => {
    const { name } = await confirmApp();
    const address = email();
    const res = await signup(name, address);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => request(app).post(`/${name}/recover`).send({ email: address })),
    );
    await background.idle();
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect((await mailsTo(address)).length).toBeLessThanOrEqual(1 + 3);
    const tokens = await rows(
      "SELECT t.id FROM one_use_tokens t JOIN users u ON u.id = t.user_id WHERE u.uid = $1 AND t.purpose = 'confirm'",
      [res.body.uid],
    );
    expect(tokens).toHaveLength(1);
  });

  it('a confirmed user asking 10 times at once keeps one reset link', async () => {
    const { name } = await confirmApp();
    const address = email();
    const res = await signup(name, address);
    await ctx.models.User.update({ disabled: false }, { where: { uid: res.body.uid as string } });
    await ctx.db.query(
      `DELETE FROM one_use_tokens WHERE purpose IN ('confirm', 'reset') AND user_id = (SELECT id FROM users WHERE uid = $1)`,
      {
        bind: [res.body.uid],
      },
    );
    await Promise.all(Array.from({ length: 10 }, () => request(app).post(`/${name}/recover`).send({ email: address })));
    await background.idle();
    const tokens = await rows(
      "SELECT t.id FROM one_use_tokens t JOIN users u ON u.id = t.user_id WHERE u.uid = $1 AND t.purpose = 'reset'",
      [res.body.uid],
    );
    expect(tokens).toHaveLength(1);
  });

  it('is replaced by signing up again, and the mail still queued for it goes with it', async () => {
    const { name } = await confirmApp();
    const address = email();
    await signup(name, address, 'again');
    const res = await signup(name, address, 'again');
    expect(res.status).toBe(201);
    const queued = await mailsTo(address);
    expect(queued).toHaveLength(1);
    smtp = await startSmtp(port);
    ctx.clock.advance(mailRetryDelay(1) / 1000);
    expect(await runMailOutbox(ctx.deps)).toBe(1);
    const { token } = linkIn(await smtp.mailTo(address));
    expect((await request(app).post(`/${name}/confirm`).send({ token })).body.uid).toBe(res.body.uid);
  });
});

describe('senders racing', () => {
  it('send each queued mail exactly once when 50 runs go at once', async () => {
    const { name } = await confirmApp();
    const addresses = Array.from({ length: 5 }, email);
    for (const address of addresses) await signup(name, address);
    smtp = await startSmtp(port);
    ctx.clock.advance(mailRetryDelay(1) / 1000);
    const sent = await Promise.all(Array.from({ length: 50 }, () => runMailOutbox(ctx.deps)));
    expect(sent.reduce((a, b) => a + b, 0)).toBe(5);
    for (const address of addresses) {
      expect(smtp.received().filter((m) => JSON.stringify(m.to).includes(address))).toHaveLength(1);
      expect(await mailsTo(address)).toMatchObject([{ status: 'sent' }]);
    }
  });
});

import bcrypt from 'bcrypt';
import pino from 'pino';
import request, { type Response } from 'supertest';
import type { Express } from 'express';
import { QueryTypes } from 'sequelize';
import { createApp } from '../../src/app';
import { BackgroundTasks } from '../../src/infra/background';
import { captureStream } from '../helpers/capture';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, uniqueName } from '../helpers/factories';
import { startSmtp, type TestSmtp } from '../helpers/smtp';

// A sign-up for a username or an address already taken: what it costs, and what it tells.
let ctx: TestContext;
let limited: TestContext;
let smtp: TestSmtp;
let app: Express;
const failedTasks: unknown[] = [];
const background = new BackgroundTasks({ error: (...args: unknown[]) => void failedTasks.push(args) } as never);
const logs = captureStream();
const PUBLIC_URL = 'https://shop.example.com/account';

beforeAll(async () => {
  smtp = await startSmtp();
  // First: admin requests are dated by the clock of the latest context, ctx's.
  limited = await createTestContext({ loginMaxFailuresPerIp: 3 });
  ctx = await createTestContext(
    { smtpUrl: smtp.url, mailFrom: 'accounts@shop.example.com', loginMaxFailuresPerIp: 1_000_000 },
    { logger: pino({ level: 'debug' }, logs.stream) },
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
afterEach(() => jest.restoreAllMocks());

const rows = (sql: string, bind: unknown[] = []) =>
  ctx.db.query<Record<string, unknown>>(sql, { bind, type: QueryTypes.SELECT });
const email = () => `${uniqueName('t')}@example.com`;
const signup = (on: Express, name: string, body: object) => request(on).post(`/${name}/signup`).send(body);
const usersOf = async (name: string) =>
  (
    await rows(
      'SELECT u.uid, u.username, u.email, u.disabled FROM users u JOIN applications a ON a.id = u.application_id WHERE a.name = $1 ORDER BY u.id',
      [name],
    )
  ).map((u) => ({
    uid: u.uid as string,
    username: u.username as string,
    email: u.email,
    disabled: Boolean(u.disabled),
  }));
const tokenCount = async () =>
  Number((await rows(`SELECT count(*) AS n FROM one_use_tokens WHERE purpose IN ('confirm', 'reset')`))[0].n);

/** The header names and body shape a caller sees, without the values that differ per request. */
function shape(res: Response) {
  return {
    status: res.status,
    headers: Object.keys(res.headers as object)
      .filter((h) => !['x-request-id', 'date', 'content-length', 'etag'].includes(h))
      .sort(),
    body: Object.keys(res.body as object).sort(),
  };
}

describe('every sign-up takes its place on the IP limit, whatever it answers', () => {
  it('taken names and weak passwords count: the 4th attempt of 3 allowed answers 429', async () => {
    const { name } = await createApplication(limited.app, { signup: 'open' });
    const address = email();
    const first = await signup(limited.app, name, { username: 'ann', password: GOOD_PASSWORD, email: address });
    const taken = await signup(limited.app, name, { username: 'ann', password: GOOD_PASSWORD });
    const weak = await signup(limited.app, name, { username: 'ben', password: 'password123' });
    const next = await signup(limited.app, name, { username: 'cat', password: GOOD_PASSWORD });

    expect([first.status, taken.status, weak.status, next.status]).toEqual([201, 409, 400, 429]);
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);
    expect(await limited.models.User.count()).toBe(1);
  });
});

describe('POST /:app/signup in open mode with a taken username or address', () => {
  it('answers 409 username_taken or email_taken without hashing the password', async () => {
    const { name } = await createApplication(app, { signup: 'open' });
    const address = email();
    expect((await signup(app, name, { username: 'dan', password: GOOD_PASSWORD, email: address })).status).toBe(201);
    const hash = jest.spyOn(bcrypt, 'hash');

    const sameName = await signup(app, name, { username: 'dan', password: GOOD_PASSWORD });
    const sameEmail = await signup(app, name, {
      username: 'dave',
      password: GOOD_PASSWORD,
      email: address.toUpperCase(),
    });

    expect([sameName.status, sameName.body.error]).toEqual([409, 'username_taken']);
    expect([sameEmail.status, sameEmail.body.error]).toEqual([409, 'email_taken']);
    expect(hash).not.toHaveBeenCalled();
    expect((await usersOf(name)).map((u) => u.username)).toEqual(['dan']);
  });
});

describe('POST /:app/signup in confirm mode with a name or address a confirmed user holds', () => {
  it('answers like a new sign-up, stores nothing, and mails the address a notice without the username', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const owned = email();
    const owner = await createUser(app, name, { username: 'owner-1', email: owned });
    const before = await usersOf(name);
    const tokensBefore = await tokenCount();

    const fresh = await signup(app, name, { username: 'newbie', password: GOOD_PASSWORD, email: email() });
    const takenEmail = await signup(app, name, { username: 'Call-555-0100', password: GOOD_PASSWORD, email: owned });
    const freshAddress = email();
    const takenName = await signup(app, name, {
      username: 'owner-1',
      password: 'another-good-passphrase-8',
      email: freshAddress,
    });

    for (const res of [takenEmail, takenName]) {
      expect(shape(res)).toEqual(shape(fresh));
      expect(res.body.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.uid).not.toBe(owner.uid);
    }
    expect(takenEmail.body.username).toBe('Call-555-0100');
    // Only the fresh sign-up was stored; the owner's account is as it was.
    const after = await usersOf(name);
    expect(after).toHaveLength(before.length + 1);
    expect(after.find((u) => u.uid === owner.uid)).toEqual(before.find((u) => u.uid === owner.uid));
    expect(after.map((u) => u.uid)).not.toContain(takenEmail.body.uid);
    expect(after.map((u) => u.uid)).not.toContain(takenName.body.uid);
    expect(await tokenCount()).toBe(tokensBefore + 1);

    for (const address of [owned, freshAddress]) {
      const notice = await smtp.mailTo(address);
      expect(notice.subject).toBe(`Sign-up attempt on ${name}`);
      expect(notice.text).not.toMatch(/https?:\/\//);
      expect(notice.text).not.toContain('Call-555-0100');
      expect(notice.text).not.toContain('owner-1');
    }
  });
});

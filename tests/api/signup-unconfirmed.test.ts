import request from 'supertest';
import type { Express } from 'express';
import { QueryTypes } from 'sequelize';
import { startMaintenance } from '../../src/workers/maintenance.worker';
import { admin, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, login, uniqueName } from '../helpers/factories';
import { mailingServer } from '../helpers/mailing-server';
import { linkIn, type TestSmtp } from '../helpers/smtp';

// An unconfirmed sign-up holds nothing (account pre-hijacking): a later sign-up replaces it, and
// the maintenance purges it once its link has expired.
let ctx: TestContext;
let smtp: TestSmtp;
let app: Express;
const server = mailingServer();
const PUBLIC_URL = 'https://shop.example.com/account';
const ATTACKER_PASSWORD = 'attacker-passphrase-41';

beforeAll(async () => ({ ctx, smtp, app } = await server.start()));
afterAll(() => server.stop());

const rows = (sql: string, bind: unknown[] = []) =>
  ctx.db.query<Record<string, unknown>>(sql, { bind, type: QueryTypes.SELECT });
const userByUid = async (uid: string) =>
  (await rows('SELECT id, username, disabled FROM users WHERE uid = $1', [uid]))[0];
const tokensOfUserId = async (id: unknown) =>
  rows(`SELECT id FROM one_use_tokens WHERE purpose IN ('confirm', 'reset') AND user_id = $1`, [id]);
const email = () => `${uniqueName('u')}@example.com`;
const signup = (name: string, body: object) => request(app).post(`/${name}/signup`).send(body);
const confirm = (name: string, token: string) => request(app).post(`/${name}/confirm`).send({ token });

describe('a sign-up for the address or username of an unconfirmed account', () => {
  it("replaces it at once: the attacker's link confirms nothing, the owner's account is the one enabled", async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const victim = email();
    const early = await signup(name, { username: 'attacker', password: ATTACKER_PASSWORD, email: victim });
    const attackerLink = linkIn(await smtp.mailTo(victim)).token;
    const early_ = await userByUid(early.body.uid as string);

    const own = await signup(name, { username: 'owner', password: GOOD_PASSWORD, email: victim.toUpperCase() });

    expect(own.status).toBe(201);
    expect(await userByUid(early.body.uid as string)).toBeUndefined();
    expect(await tokensOfUserId(early_.id)).toEqual([]);
    const ownLink = linkIn(await smtp.mailTo(victim)).token;
    const stale = await confirm(name, attackerLink);
    expect([stale.status, stale.body.error]).toEqual([401, 'invalid_token']);
    expect((await confirm(name, ownLink)).body).toEqual({ uid: own.body.uid, username: 'owner' });
    expect((await login(app, name, 'owner', GOOD_PASSWORD)).status).toBe(200);
    expect((await login(app, name, 'attacker', ATTACKER_PASSWORD)).status).toBe(401);
  });

  it('replaces an unconfirmed holder of the username, in confirm and in open mode', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const first = await signup(name, { username: 'squat', password: ATTACKER_PASSWORD, email: email() });
    const second = await signup(name, { username: 'squat', password: GOOD_PASSWORD, email: email() });
    const third = await signup(name, { username: 'squat2', password: ATTACKER_PASSWORD, email: email() });
    expect((await admin(app, 'patch', `/applications/${name}`, { signup: 'open' })).status).toBe(200);
    const open = await signup(name, { username: 'squat2', password: GOOD_PASSWORD });

    expect([first.status, second.status, third.status, open.status]).toEqual([201, 201, 201, 201]);
    expect(await userByUid(first.body.uid as string)).toBeUndefined();
    expect(await userByUid(third.body.uid as string)).toBeUndefined();
    expect((await userByUid(second.body.uid as string)).username).toBe('squat');
    expect((await login(app, name, 'squat2', GOOD_PASSWORD)).status).toBe(200);
  });

  it('does not replace an account an admin disabled: that one holds its name', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const address = email();
    const banned = await createUser(app, name, { username: 'banned', email: address });
    await admin(app, 'patch', `/users/${banned.uid}`, { disabled: true });

    const res = await signup(name, { username: 'other', password: GOOD_PASSWORD, email: address });

    expect(res.status).toBe(201);
    expect(await userByUid(res.body.uid as string)).toBeUndefined();
    expect((await userByUid(banned.uid)).username).toBe('banned');
  });
});

describe('the maintenance', () => {
  it('purges the unconfirmed accounts whose link has expired, and keeps every other', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const stale = await signup(name, { username: 'stale', password: GOOD_PASSWORD, email: email() });
    const staleId = (await userByUid(stale.body.uid as string)).id;
    const confirmed = await createUser(app, name);
    const banned = await createUser(app, name);
    await admin(app, 'patch', `/users/${banned.uid}`, { disabled: true });
    ctx.clock.advance(24 * 3600 + 1);
    const recent = await signup(name, { username: 'recent', password: GOOD_PASSWORD, email: email() });

    const stop = startMaintenance(ctx.deps);
    try {
      for (let i = 0; i < 100 && (await userByUid(stale.body.uid as string)); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      stop();
    }

    expect(await userByUid(stale.body.uid as string)).toBeUndefined();
    expect(await tokensOfUserId(staleId)).toEqual([]);
    for (const uid of [confirmed.uid, banned.uid, recent.body.uid as string])
      expect(await userByUid(uid)).toBeDefined();
    expect(await tokensOfUserId((await userByUid(recent.body.uid as string)).id)).toHaveLength(1);
  });
});

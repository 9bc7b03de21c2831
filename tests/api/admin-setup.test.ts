import bcrypt from 'bcrypt';
import request from 'supertest';
import { sha256 } from '../../src/crypto/random';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { createSetupToken, SETUP_TOKEN_TTL } from '../../src/services/admin-setup.service';
import { createTestContext, type TestContext } from '../helpers/context';
import { GOOD_PASSWORD, uniqueName } from '../helpers/factories';
import { countTokens, storedTokens } from '../helpers/one-use-tokens';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  // Each story starts on a first run: no admin account, no pending link.
  await ctx.models.AdminAccount.destroy({ where: {} });
  await ctx.db.query(`DELETE FROM one_use_tokens WHERE purpose = 'admin_setup'`);
});

const setupTokens = () => countTokens(ctx.db, 'admin_setup');

/** The link's token, as the server would print it at start. */
const newToken = async () => {
  const token = await createSetupToken(ctx);
  if (!token) throw new Error('no setup token: an admin account exists');
  return token;
};

const setup = (token: string, username = uniqueName('first'), password = GOOD_PASSWORD) =>
  request(ctx.app).post('/admin/setup').send({ token, username, password });

describe('POST /admin/setup', () => {
  it('when the token is right, then 201, the admin account with a bcrypt hash, the token row gone, audited', async () => {
    const token = await newToken();
    expect(token).toMatch(/^[\w-]{43}$/);
    const stored = await storedTokens(ctx.db, 'admin_setup');
    expect(stored.map((row) => row.tokenHash)).toEqual([sha256(token)]);
    expect(stored[0].expiresAt - ctx.clock.now().getTime()).toBe(SETUP_TOKEN_TTL * 1000);
    expect(stored[0]).toMatchObject({ userId: null, adminId: null, data: null });

    const res = await setup(token, 'root-admin');

    expect(res.status).toBe(201);
    expect(res.body).toEqual({ username: 'root-admin' });
    expect(res.headers['cache-control']).toMatch(/no-store/);
    const accounts = await ctx.models.AdminAccount.findAll();
    expect(accounts.map((a) => a.username)).toEqual(['root-admin']);
    expect(accounts[0].passwordHash).toMatch(/^\$2[aby]\$04\$/);
    expect(await bcrypt.compare(GOOD_PASSWORD, accounts[0].passwordHash)).toBe(true);
    expect(await setupTokens()).toBe(0);
    const audit = await ctx.models.AuditEntry.findOne({ where: { action: 'admin.setup', outcome: 'success' } });
    expect(audit?.target).toBe('root-admin');
    const everything = JSON.stringify(await ctx.models.AuditEntry.findAll());
    expect(everything).not.toContain(token);
  });

  it('then the new admin logs in to the console', async () => {
    const token = await newToken();
    expect((await setup(token, 'console-admin')).status).toBe(201);
    const login = await request(ctx.app)
      .post('/admin/login')
      .send({ username: 'console-admin', password: GOOD_PASSWORD });
    expect(login.status).toBe(200);
  });

  it('when the token is wrong, then 401 unauthorized and no account', async () => {
    await newToken();
    const res = await setup('x'.repeat(43));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
    expect(await ctx.models.AdminAccount.count()).toBe(0);
    expect(await setupTokens()).toBe(1);
  });

  it('when the token has expired (1 hour), then 401 unauthorized', async () => {
    const token = await newToken();
    ctx.clock.advance(SETUP_TOKEN_TTL + 1);
    const res = await setup(token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
    expect(await ctx.models.AdminAccount.count()).toBe(0);
  });

  it('when the token was used and the account removed since, then 401: one use only', async () => {
    const token = await newToken();
    expect((await setup(token)).status).toBe(201);
    await ctx.models.AdminAccount.destroy({ where: {} });
    const res = await setup(token);
    expect(res.status).toBe(401);
    expect(await ctx.models.AdminAccount.count()).toBe(0);
  });

  it('when an admin account exists, then 409 conflict whatever the token, and the pending token is deleted', async () => {
    const token = await newToken();
    await ensureAdminAccount(uniqueName('init'), GOOD_PASSWORD, ctx.config, ctx.deps);

    const right = await setup(token);
    const wrong = await setup('not-the-token');

    expect([right.status, wrong.status]).toEqual([409, 409]);
    expect(right.body.error).toBe('admin_exists');
    expect(await setupTokens()).toBe(0);
    expect(await ctx.models.AdminAccount.count()).toBe(1);
    expect(await createSetupToken(ctx)).toBeUndefined();
  });

  it('when the password breaks the policy, then 400 and the token still works', async () => {
    const token = await newToken();
    const short = await setup(token, uniqueName('first'), 'short');
    const common = await setup(token, uniqueName('first'), 'password123');
    const badName = await setup(token, 'a/b');
    expect(short.status).toBe(400);
    expect(short.body.error).toBe('validation_failed');
    expect(common.status).toBe(400);
    expect(badName.status).toBe(400);
    expect(badName.body.details).toEqual([expect.objectContaining({ field: 'username' })]);
    expect((await setup(token)).status).toBe(201);
  });

  it('when 50 requests spend the same token at once, then exactly one 201 and one admin account', async () => {
    const token = await newToken();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => setup(token, `racer-${i}`)));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 201).every((status) => status === 401 || status === 409)).toBe(true);
    const accounts = await ctx.models.AdminAccount.findAll();
    expect(accounts.map((a) => a.username)).toEqual([`racer-${statuses.indexOf(201)}`]);
    expect(await setupTokens()).toBe(0);
  });

  it('when two instances’ links are spent at once, then one 201 and one admin account, both links gone', async () => {
    const tokens = [await newToken(), await newToken()];
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => setup(tokens[i % 2], uniqueName(`instance-${i % 2}`))),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 201 && status !== 401 && status !== 409)).toEqual([]);
    expect(await ctx.models.AdminAccount.count()).toBe(1);
    expect(await setupTokens()).toBe(0);
  });

  it('when guesses keep failing, then 429 rate_limited like failed logins, even for the right token', async () => {
    const token = await newToken();
    const username = uniqueName('guesser');
    for (let i = 0; i < ctx.config.loginMaxFailures; i++) {
      expect((await setup(`guess-${i}`, username)).status).toBe(401);
    }
    const res = await setup(token, username);
    expect(res.status).toBe(429);
    expect(res.body.error).toBe('rate_limited');
    expect(res.headers['retry-after']).toBeDefined();
    expect(await ctx.models.AdminAccount.count()).toBe(0);
    const refused = await ctx.models.AuditEntry.count({ where: { action: 'admin.setup', outcome: 'failure' } });
    expect(refused).toBeGreaterThanOrEqual(ctx.config.loginMaxFailures);
  });
});

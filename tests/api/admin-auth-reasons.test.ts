import request from 'supertest';
import { sha256 } from '../../src/crypto/random';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { JAWTH_KEY, SECRET_KEY, adminToken, createTestContext, type TestContext } from '../helpers/context';
import { decodeClaimsForTest } from '../helpers/claims';
import { GOOD_PASSWORD, uniqueName } from '../helpers/factories';
import { handmade } from '../helpers/hostile-tokens';
import { countTokens } from '../helpers/one-use-tokens';
import { snapshotData } from '../helpers/snapshot';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

const MESSAGE = 'A valid admin credential is required.';
const now = () => Math.floor(ctx.clock.now().getTime() / 1000);

/** Everything a refused admin request could have changed: resources, spent jtis, console sessions. */
async function databaseState() {
  const sessions = await ctx.models.AdminSession.findAll({ order: [['id', 'ASC']], raw: true });
  return { data: await snapshotData(ctx.models), jtis: await countTokens(ctx.db, 'admin_jti'), sessions };
}

/** Sends a request that would create an application if it were let in. */
const createApp = (header: [string, string] | undefined) => {
  const req = request(ctx.app).post('/applications');
  return header ? req.set(...header) : req;
};
const signed = (token: string): [string, string] => ['auth', `jwt ${token}`];
const creating = (options: Parameters<typeof adminToken>[0] = {}) =>
  adminToken({ data: { name: uniqueName('refused') }, method: 'POST', path: '/applications', ...options });
const claimsFor = (extra: Record<string, unknown> = {}) => ({
  password: JAWTH_KEY,
  data: { name: uniqueName('refused') },
  htm: 'POST',
  htu: '/applications',
  iat: now(),
  exp: now() + 60,
  ...extra,
});

async function loggedInSession(): Promise<string> {
  const username = uniqueName('admin');
  await ensureAdminAccount(username, GOOD_PASSWORD, ctx.config, ctx.deps);
  const res = await request(ctx.app).post('/admin/login').send({ username, password: GOOD_PASSWORD });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

describe('a refused admin credential says which rule it broke', () => {
  it.each([
    ['no auth and no Authorization header', 'missing', () => undefined],
    ['a token that is not a JWS', 'malformed', () => signed('not-a-token')],
    ['a header that is neither `auth: jwt` nor Bearer', 'malformed', (): [string, string] => ['auth', 'token x']],
    ['a token without a signature (alg none)', 'algorithm', () => signed(handmadeNone(claimsFor()))],
    ['a token signed HS512', 'algorithm', () => signed(handmade({ alg: 'HS512' }, claimsFor(), SECRET_KEY, 'sha512'))],
    ['an expired token', 'expired', () => signed(creating({ ttl: -1 }))],
    ['a token living longer than ADMIN_TOKEN_MAX_TTL', 'lifetime', () => signed(creating({ ttl: 301 }))],
    [
      'a token whose exp lies further ahead than ADMIN_TOKEN_MAX_TTL',
      'lifetime',
      () => signed(creating({ ttl: null, claims: { exp: now() + 3600 } })),
    ],
    ['a token without exp', 'lifetime', () => signed(creating({ ttl: null }))],
    [
      'a token issued two minutes from now',
      'issued_in_future',
      () => signed(creating({ claims: { iat: now() + 120, exp: now() + 180 } })),
    ],
    ['a token for another method (htm)', 'method_mismatch', () => signed(creating({ method: 'DELETE' }))],
    ['a token for another path (htu)', 'path_mismatch', () => signed(creating({ path: '/users' }))],
    [
      'a token for the path with another query (htu)',
      'path_mismatch',
      () => signed(creating({ path: '/applications?x=1' })),
    ],
    [
      'a token for another origin (htu)',
      'path_mismatch',
      () => signed(creating({ path: 'http://evil.example.com/applications' })),
    ],
    [
      'a token signed with another SECRET_KEY',
      'signature_or_credential',
      () => signed(creating({ secret: 'z'.repeat(48) })),
    ],
    [
      'a token carrying another JAWTH_KEY',
      'signature_or_credential',
      () => signed(creating({ password: 'not-the-key' })),
    ],
    ['a jti that is not a string', 'malformed', () => signed(creating({ claims: { jti: 42 } }))],
    [
      'a token bound to the path alone (htu without htm)',
      'malformed',
      () => signed(adminToken({ data: { name: uniqueName('refused') }, path: '/applications' })),
    ],
    [
      'a token bound to the method alone (htm without htu)',
      'malformed',
      () => signed(adminToken({ data: { name: uniqueName('refused') }, method: 'POST' })),
    ],
  ])('when an admin request carries %s, then 401 with reason %s and nothing changes', async (_what, reason, header) => {
    const before = await databaseState();

    const res = await createApp(header());

    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: MESSAGE, reason });
    expect(await databaseState()).toEqual(before);
  });

  it('when SECRET_KEY is wrong or JAWTH_KEY is wrong, then the two answers are the same, byte for byte', async () => {
    const before = await databaseState();

    const wrongSecret = await createApp(signed(creating({ secret: 'another-secret-key-of-at-least-32-bytes' })));
    const wrongPassword = await createApp(signed(creating({ password: 'another-master-password' })));
    const both = await createApp(
      signed(creating({ secret: 'another-secret-key-of-at-least-32-bytes', password: 'x' })),
    );

    expect(wrongSecret.text).toBe(wrongPassword.text);
    expect(both.text).toBe(wrongPassword.text);
    expect(wrongSecret.headers['content-length']).toBe(wrongPassword.headers['content-length']);
    expect(wrongSecret.body).toEqual({ error: 'unauthorized', message: MESSAGE, reason: 'signature_or_credential' });
    expect(await databaseState()).toEqual(before);
  });

  it('when a wrongly signed token is also expired, then it is still signature_or_credential (no other rule is told)', async () => {
    const res = await createApp(signed(creating({ ttl: -1, secret: 'another-secret-key-of-at-least-32-bytes' })));
    const wrongKeyExpired = await createApp(signed(creating({ ttl: -1, password: 'another-master-password' })));

    expect(res.body.reason).toBe('signature_or_credential');
    expect(wrongKeyExpired.body.reason).toBe('signature_or_credential');
  });

  it('when a one-use token (jti) comes again, then 401 replayed and the second request changes nothing', async () => {
    const name = uniqueName('once');
    const token = creating({ data: { name }, claims: { jti: `jti-${name}` } });
    expect((await createApp(signed(token))).status).toBe(201);
    const before = await databaseState();

    const again = await createApp(signed(token));

    expect(again.status).toBe(401);
    expect(again.body).toEqual({ error: 'unauthorized', message: MESSAGE, reason: 'replayed' });
    expect(await databaseState()).toEqual(before);
  });

  it('when a console session has logged out, then its token gets 401 session_ended and nothing changes', async () => {
    const token = await loggedInSession();
    const bearer = (): [string, string] => ['Authorization', `Bearer ${token}`];
    expect(
      (
        await request(ctx.app)
          .post('/admin/logout')
          .set(...bearer())
      ).status,
    ).toBe(204);
    const before = await databaseState();

    const res = await createApp(bearer()).send({ name: uniqueName('after-logout') });
    const logoutAgain = await request(ctx.app)
      .post('/admin/logout')
      .set(...bearer());

    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: MESSAGE, reason: 'session_ended' });
    expect(logoutAgain.body).toEqual({ error: 'unauthorized', message: MESSAGE, reason: 'session_ended' });
    expect(await databaseState()).toEqual(before);
  });

  it('when a console session has expired server-side before its token, then 401 session_ended', async () => {
    const token = await loggedInSession();
    const sidHash = sha256(decodeClaimsForTest(token).sid as string);
    await ctx.models.AdminSession.update({ expiresAt: new Date(now() * 1000 - 1000) }, { where: { sidHash } });
    const before = await databaseState();

    const res = await createApp(['Authorization', `Bearer ${token}`]).send({ name: uniqueName('expired-session') });

    expect(res.body).toEqual({ error: 'unauthorized', message: MESSAGE, reason: 'session_ended' });
    expect(await databaseState()).toEqual(before);
  });

  it('when a signed request token is sent to /admin/logout, then 401 signature_or_credential: it is no session', async () => {
    const res = await request(ctx.app).post('/admin/logout').set('Authorization', `Bearer ${adminToken()}`);
    expect(res.body).toEqual({ error: 'unauthorized', message: MESSAGE, reason: 'signature_or_credential' });
  });
});

/** `alg: none`, no signature: the token every JWT library once accepted. */
function handmadeNone(claims: Record<string, unknown>): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

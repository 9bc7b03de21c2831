import request from 'supertest';
import { sha256 } from '../../src/crypto/random';
import { purgeSpentJtis } from '../../src/services/admin-replay.service';
import { JAWTH_KEY, SECRET_KEY, adminToken, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, uniqueName } from '../helpers/factories';
import { decodeClaimsForTest } from '../helpers/claims';
import { hostileTokens } from '../helpers/hostile-tokens';
import { countTokens, storedTokens } from '../helpers/one-use-tokens';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

const list = (header: string, value: string) => request(ctx.app).get('/applications').set(header, value);

/** The reason each hostile token is refused for: its algorithm, its key, or its shape. */
function hostileReason(name: string): string {
  if (/^alg |^HS384|^HS512|^RS256|^ES256/.test(name)) return 'algorithm';
  if (/public key as HMAC secret|truncated signature/.test(name)) return 'signature_or_credential';
  return 'malformed';
}

describe('signed admin requests', () => {
  it('accepts `auth: jwt <token>` and `Authorization: Bearer <token>`', async () => {
    expect((await list('auth', `jwt ${adminToken()}`)).status).toBe(200);
    expect((await list('Authorization', `Bearer ${adminToken()}`)).status).toBe(200);
  });

  it.each([
    ['no credential', 'missing', () => request(ctx.app).get('/applications')],
    ['an empty auth header', 'malformed', () => list('auth', 'jwt ')],
    ['another scheme', 'malformed', () => list('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`)],
    [
      'a wrong master password',
      'signature_or_credential',
      () => list('auth', `jwt ${adminToken({ password: 'not-it-at-all' })}`),
    ],
    [
      'a master password that is not a string',
      'signature_or_credential',
      () => list('auth', `jwt ${adminToken({ claims: { password: 1 } })}`),
    ],
    [
      'a token signed with another key',
      'signature_or_credential',
      () => list('auth', `jwt ${adminToken({ secret: 'z'.repeat(40) })}`),
    ],
    ['a token without exp', 'lifetime', () => list('auth', `jwt ${adminToken({ ttl: null })}`)],
    ['an expired token', 'expired', () => list('auth', `jwt ${adminToken({ ttl: -10 })}`)],
    [
      'a token living longer than ADMIN_TOKEN_MAX_TTL',
      'lifetime',
      () => list('auth', `jwt ${adminToken({ ttl: 301 })}`),
    ],
    [
      'a session token (sid claim)',
      'signature_or_credential',
      () => list('auth', `jwt ${adminToken({ claims: { sid: 'abc' } })}`),
    ],
    [
      'htm of another method',
      'method_mismatch',
      () => list('auth', `jwt ${adminToken({ method: 'DELETE', path: '/applications' })}`),
    ],
    [
      'htu of another path',
      'path_mismatch',
      () => list('auth', `jwt ${adminToken({ method: 'GET', path: '/users' })}`),
    ],
    ['htu without htm', 'malformed', () => list('auth', `jwt ${adminToken({ path: '/applications' })}`)],
    ['htm without htu', 'malformed', () => list('auth', `jwt ${adminToken({ method: 'GET' })}`)],
  ])('refuses %s with 401 unauthorized, reason %s', async (_what, reason, send) => {
    const res = await send();
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: 'A valid admin credential is required.', reason });
  });

  it.each(
    hostileTokens(
      { password: JAWTH_KEY, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 },
      SECRET_KEY,
    ),
  )('refuses a hostile token: %s', async (name, token) => {
    const res = await list('auth', `jwt ${token}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: expect.any(String), reason: hostileReason(name) });
  });

  describe('lifetime, however the token is dated (ADMIN_TOKEN_MAX_TTL 5m, 60 s of clock skew)', () => {
    const now = () => Math.floor(ctx.clock.now().getTime() / 1000);
    const TEN_YEARS = 10 * 365 * 86400;
    const dated = (times: Record<string, unknown>) =>
      adminToken({ data: { name: uniqueName('dated') }, claims: times });

    it.each([
      [
        'iat ten years ahead with exp = iat + 60',
        'issued_in_future',
        () => ({ iat: now() + TEN_YEARS, exp: now() + TEN_YEARS + 60 }),
      ],
      ['iat = exp = 1e308 (a token that never expires)', 'issued_in_future', () => ({ iat: 1e308, exp: 1e308 })],
      ['iat two minutes ahead (beyond the skew)', 'issued_in_future', () => ({ iat: now() + 120, exp: now() + 180 })],
      [
        'exp further than the maximum plus skew from now',
        'lifetime',
        () => ({ iat: now() + 50, exp: now() + 300 + 61 }),
      ],
      ['a fractional exp', 'malformed', () => ({ iat: now(), exp: now() + 30.5 })],
      ['a fractional iat', 'malformed', () => ({ iat: now() + 0.25, exp: now() + 30 })],
      ['an exp beyond any clock', 'lifetime', () => ({ iat: now(), exp: 2 ** 60 })],
    ])('when a token has %s, then 401 (%s) and nothing is created', async (_what, reason, times) => {
      const token = dated(times());
      const name = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).data.name;

      const res = await request(ctx.app).post('/applications').set('auth', `jwt ${token}`);

      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'unauthorized', message: 'A valid admin credential is required.', reason });
      expect(await ctx.models.Application.count({ where: { name } })).toBe(0);
    });

    it('when iat lies within the skew ahead and the lifetime fits, then the token is accepted', async () => {
      const token = dated({ iat: now() + 30, exp: now() + 30 + 300 });
      const res = await request(ctx.app).post('/applications').set('auth', `jwt ${token}`);
      expect(res.status).toBe(201);
      expect(await ctx.models.Application.count({ where: { name: res.body.name } })).toBe(1);
    });
  });

  describe('request data', () => {
    it('takes the data from the signed claim (no body needed)', async () => {
      const name = uniqueName('signed');
      const res = await request(ctx.app)
        .post('/applications')
        .set('auth', `jwt ${adminToken({ data: { name } })}`);
      expect(res.status).toBe(201);
      expect(await ctx.models.Application.count({ where: { name } })).toBe(1);
    });

    it('accepts a body equal to the data claim (the JaWTh examples send both)', async () => {
      const name = uniqueName('both');
      const res = await request(ctx.app)
        .post('/applications')
        .set('auth', `jwt ${adminToken({ data: { name } })}`)
        .send({ name });
      expect(res.status).toBe(201);
    });

    it('refuses a body that differs from the data claim with 400 body_mismatch, creating nothing', async () => {
      const name = uniqueName('signed');
      const res = await request(ctx.app)
        .post('/applications')
        .set('auth', `jwt ${adminToken({ data: { name } })}`)
        .send({ name: `${name}-evil` });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('body_mismatch');
      expect(await ctx.models.Application.count({ where: { name: [name, `${name}-evil`] } })).toBe(0);
    });

    it('refuses a body with no data claim with 400 unsigned_body, creating nothing', async () => {
      const name = uniqueName('unsigned');
      const res = await request(ctx.app).post('/applications').set('auth', `jwt ${adminToken()}`).send({ name });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('unsigned_body');
      expect(await ctx.models.Application.count({ where: { name } })).toBe(0);
    });

    it('refuses a data claim that is not an object', async () => {
      const res = await request(ctx.app)
        .post('/applications')
        .set('auth', `jwt ${adminToken({ data: ['x'] })}`);
      expect(res.status).toBe(400);
    });
  });
});

describe('a signed request bound to one request (htm, htu, jti)', () => {
  const withToken = (path: string, token: string) => request(ctx.app).get(path).set('auth', `jwt ${token}`);
  const jtiRows = () => countTokens(ctx.db, 'admin_jti');
  let app: { name: string; secret: string };
  beforeAll(async () => {
    app = await createApplication(ctx.app);
  });

  it('when htu names the path without the query, then a request with a query is refused: the secret stays unread', async () => {
    const token = adminToken({ method: 'GET', path: `/applications/${app.name}` });

    const withQuery = await withToken(`/applications/${app.name}?include_secret=true`, token);
    const otherQuery = await withToken(`/applications/${app.name}?include_secret=true&x=1`, token);

    expect(withQuery.status).toBe(401);
    expect(otherQuery.status).toBe(401);
    expect(JSON.stringify([withQuery.body, otherQuery.body])).not.toContain(app.secret);
    expect((await withToken(`/applications/${app.name}`, token)).body).not.toHaveProperty('secret');
  });

  it('when htu carries the query, then exactly that path and query are accepted', async () => {
    const path = `/applications/${app.name}?include_secret=true`;
    const token = adminToken({ method: 'GET', path });

    expect((await withToken(path, token)).body.secret).toBe(app.secret);
    expect((await withToken(`/applications/${app.name}`, token)).status).toBe(401);
    expect((await withToken(`/applications/${app.name}?include_secret=false`, token)).status).toBe(401);
  });

  it("when htu is an absolute URL, then its path and query must match and its origin must be this server's", async () => {
    const path = '/applications?limit=5';
    const send = (htu: string) =>
      withToken(path, adminToken({ method: 'GET', path: htu })).set('Host', 'auth.example.com:8443');

    expect((await send(`http://auth.example.com:8443${path}`)).status).toBe(200);
    expect((await send(`HTTP://Auth.Example.com:8443${path}`)).status).toBe(200);
    expect((await send(`http://evil.example.com:8443${path}`)).status).toBe(401);
    expect((await send(`https://auth.example.com:8443${path}`)).status).toBe(401);
    expect((await send(`http://auth.example.com${path}`)).status).toBe(401);
    expect((await send('http://auth.example.com:8443/applications')).status).toBe(401);
    expect((await send(`//auth.example.com:8443${path}`)).status).toBe(401);
  });

  it('when jawth is behind a trusted proxy, then the origin is the one the client used (TRUST_PROXY)', async () => {
    const token = () => adminToken({ method: 'GET', path: 'https://auth.example.com/applications' });
    const viaProxy = (t: string) =>
      withToken('/applications', t).set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'auth.example.com');

    expect((await viaProxy(token())).status).toBe(401); // TRUST_PROXY off: the forwarded headers count for nothing
    ctx.app.set('trust proxy', true);
    try {
      expect((await viaProxy(token())).status).toBe(200);
    } finally {
      ctx.app.set('trust proxy', ctx.config.trustProxy);
    }
  });

  it('when a token with a jti comes again before it expires, then 401 and nothing happens twice', async () => {
    const name = uniqueName('once');
    const token = adminToken({ data: { name }, method: 'POST', path: '/applications', claims: { jti: `jti-${name}` } });
    const before = await jtiRows();

    const first = await request(ctx.app).post('/applications').set('auth', `jwt ${token}`);
    const again = await request(ctx.app).post('/applications').set('auth', `jwt ${token}`);

    expect(first.status).toBe(201);
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('unauthorized');
    expect(await ctx.models.Application.count({ where: { name } })).toBe(1);
    expect(await jtiRows()).toBe(before + 1);
    const stored = await storedTokens(ctx.db, 'admin_jti', sha256(`jti-${name}`));
    expect(stored).toHaveLength(1); // only the jti's hash is kept, until the token's exp
    expect(stored[0].expiresAt).toBe(Number(decodeClaimsForTest(token).exp) * 1000);
  });

  it('when the same jti token reaches two jawth instances on one database, then only the first accepts it', async () => {
    const other = await ctx.secondInstance();
    const token = adminToken({ method: 'GET', path: '/applications', claims: { jti: `jti-${uniqueName('two')}` } });

    const first = await request(ctx.app).get('/applications').set('auth', `jwt ${token}`);
    const second = await request(other).get('/applications').set('auth', `jwt ${token}`);

    expect([first.status, second.status]).toEqual([200, 401]);
  });

  it('when a token is refused for another reason, then its jti is not spent', async () => {
    const jti = `jti-${uniqueName('kept')}`;
    const wrongPath = adminToken({ method: 'GET', path: '/users', claims: { jti } });
    expect((await withToken('/applications', wrongPath)).status).toBe(401);
    expect(await countTokens(ctx.db, 'admin_jti', sha256(jti))).toBe(0);
  });

  it('when the same jti token is sent 50 times at once, then exactly one succeeds', async () => {
    const name = uniqueName('race');
    const token = adminToken({ data: { name }, method: 'POST', path: '/applications', claims: { jti: `jti-${name}` } });

    const answers = await Promise.all(
      Array.from({ length: 50 }, () => request(ctx.app).post('/applications').set('auth', `jwt ${token}`)),
    );

    expect(answers.map((res) => res.status).sort()).toEqual([201, ...Array(49).fill(401)]);
    expect(await ctx.models.Application.count({ where: { name } })).toBe(1);
    expect(await countTokens(ctx.db, 'admin_jti', sha256(`jti-${name}`))).toBe(1);
  });

  it('when a jti has expired with its token, then the purge drops it and a new token may use it', async () => {
    const jti = `jti-${uniqueName('expiring')}`;
    expect((await withToken('/applications', adminToken({ ttl: 30, claims: { jti } }))).status).toBe(200);
    ctx.clock.advance(31);

    expect(await purgeSpentJtis(ctx.clock.now(), ctx.deps)).toBeGreaterThanOrEqual(1);
    expect(await countTokens(ctx.db, 'admin_jti', sha256(jti))).toBe(0);
    expect((await withToken('/applications', adminToken({ ttl: 30, claims: { jti } }))).status).toBe(200);
  });

  it.each([
    ['a number', 42],
    ['an empty string', ''],
    ['256 characters', 'j'.repeat(256)],
  ])('when the jti is %s, then 401', async (_what, jti) => {
    expect((await withToken('/applications', adminToken({ claims: { jti } }))).status).toBe(401);
  });
});

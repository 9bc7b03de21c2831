import express from 'express';
import request from 'supertest';
import { signToken } from '../../src/crypto/jwt';
import { totpCode } from '../../src/crypto/totp';
import { jawthAuth, type JawthAuthOptions } from '../../packages/express/src';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';
import { hostileTokens } from '../helpers/hostile-tokens';

const SECRET = 'an-application-secret-of-at-least-32-bytes';
const now = () => Math.floor(Date.now() / 1000);

function claims(extra: Record<string, unknown> = {}) {
  const iat = now();
  return {
    username: 'ada',
    id: 'uid-1',
    role: 'user',
    groups: ['staff'],
    orgs: [],
    app: 'shop',
    iss: 'jawth',
    iat,
    exp: iat + 60,
    ...extra,
  };
}

/** A backend with one protected route that echoes the claims it was given. */
function backend(options: JawthAuthOptions) {
  const app = express();
  app.get('/me', jawthAuth(options), (req, res) => {
    res.json(req.auth);
  });
  return app;
}

const get = (options: JawthAuthOptions, token?: string) => {
  const req = request(backend(options)).get('/me');
  return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
};

describe('jawthAuth', () => {
  it('puts the claims of a valid token on req.auth', async () => {
    const token = signToken(claims(), SECRET, 'v1');
    const res = await get({ secret: SECRET }, token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'ada', role: 'user', groups: ['staff'] });
  });

  it('accepts a token from a real jawth login', async () => {
    const ctx: TestContext = await createTestContext();
    try {
      const app = await createApplication(ctx.app);
      const user = await createUser(ctx.app, app.name, { role: 'admin' });
      const { body } = await login(ctx.app, app.name, user.username, user.password);
      const res = await get({ secret: app.secret, issuer: 'jawth', requireRole: 'admin' }, body.token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ username: user.username, id: user.uid, app: app.name });
    } finally {
      await ctx.close();
    }
  });

  it('with requireAmr, a token without the second factor gets 401 insufficient_user_authentication', async () => {
    const password = await get({ secret: SECRET, requireAmr: 'otp' }, signToken(claims(), SECRET, 'v1'));
    expect(password.status).toBe(401);
    expect(password.body.error).toBe('insufficient_user_authentication');
    expect(password.headers['www-authenticate']).toMatch(/^Bearer error="insufficient_user_authentication"/);

    const withOtp = signToken(claims({ amr: ['pwd', 'otp'] }), SECRET, 'v1');
    const res = await get({ secret: SECRET, requireAmr: ['pwd', 'otp'] }, withOtp);
    expect(res.status).toBe(200);
    expect(res.body.amr).toEqual(['pwd', 'otp']);
  });

  it('with requireAmr, accepts a token from a real login completed with a TOTP code', async () => {
    const ctx: TestContext = await createTestContext();
    try {
      const app = await createApplication(ctx.app, { mfa: 'required' });
      const user = await createUser(ctx.app, app.name);
      const enrolToken = (await login(ctx.app, app.name, user.username, user.password)).body.mfa_token as string;
      const auth = { Authorization: `Bearer ${enrolToken}` };
      const { secret } = (await request(ctx.app).post(`/${app.name}/${user.username}/mfa/enrol`).set(auth)).body as {
        secret: string;
      };
      const first = totpCode(secret, ctx.clock.now());
      await request(ctx.app).post(`/${app.name}/${user.username}/mfa/confirm`).set(auth).send({ code: first });
      ctx.clock.advance(30);
      const asked = await login(ctx.app, app.name, user.username, user.password);
      const code = totpCode(secret, ctx.clock.now());
      const { body } = await request(ctx.app)
        .post(`/${app.name}/login/mfa`)
        .send({ mfa_token: asked.body.mfa_token, code });

      const res = await get(
        { secret: app.secret, requireAmr: 'otp', now: () => Math.floor(ctx.clock.now().getTime() / 1000) },
        body.token,
      );

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ username: user.username, amr: ['pwd', 'otp'] });
    } finally {
      await ctx.close();
    }
  });

  it('when no bearer token is sent, then 401 with a Bearer challenge', async () => {
    const res = await get({ secret: SECRET });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
  });

  it('when the scheme is not Bearer, then 401', async () => {
    const token = signToken(claims(), SECRET);
    const res = await request(backend({ secret: SECRET }))
      .get('/me')
      .set('Authorization', `jwt ${token}`);
    expect(res.status).toBe(401);
  });

  it('when the token has expired, then 401 saying so', async () => {
    const token = signToken(claims({ iat: now() - 120, exp: now() - 60 }), SECRET);
    const res = await get({ secret: SECRET }, token);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(res.body).toEqual({ error: 'unauthorized', message: 'The token has expired.' });
  });

  it('accepts a just-expired token within clockTolerance', async () => {
    const token = signToken(claims({ iat: now() - 120, exp: now() - 5 }), SECRET);
    expect((await get({ secret: SECRET, clockTolerance: 30 }, token)).status).toBe(200);
  });

  it('follows the clock it is given', async () => {
    const token = signToken(claims(), SECRET);
    expect((await get({ secret: SECRET, now: () => now() + 3600 }, token)).status).toBe(401);
  });

  it('when the token has no exp, then 401', async () => {
    const noExp: Record<string, unknown> = claims();
    delete noExp.exp;
    const token = signToken(noExp, SECRET);
    expect((await get({ secret: SECRET }, token)).status).toBe(401);
  });

  it('when the token is signed with another secret, then 401', async () => {
    const token = signToken(claims(), 'another-secret-that-is-also-32-bytes-long');
    const res = await get({ secret: SECRET }, token);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('The token is invalid.');
  });

  it('accepts the previous secret when both are listed (rotation grace)', async () => {
    const previous = 'the-previous-secret-still-32-bytes-long';
    const token = signToken(claims(), previous);
    expect((await get({ secrets: [SECRET, previous] }, token)).status).toBe(200);
  });

  it.each(hostileTokens(claims(), SECRET))('refuses a hostile token: %s', async (_name, token) => {
    const res = await get({ secret: SECRET }, token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
  });

  it('checks the audience when one is configured', async () => {
    const token = signToken(claims({ aud: 'orders-api' }), SECRET);
    expect((await get({ secret: SECRET, audience: 'orders-api' }, token)).status).toBe(200);
    expect((await get({ secret: SECRET, audience: 'billing-api' }, token)).status).toBe(401);
    expect((await get({ secret: SECRET, audience: 'orders-api' }, signToken(claims(), SECRET))).status).toBe(401);
  });

  it('checks the issuer when one is configured', async () => {
    const token = signToken(claims({ iss: 'elsewhere' }), SECRET);
    expect((await get({ secret: SECRET, issuer: 'jawth' }, token)).status).toBe(401);
  });

  it('when the role is missing, then 403; any listed role is enough', async () => {
    const token = signToken(claims({ role: 'user' }), SECRET);
    const res = await get({ secret: SECRET, requireRole: 'admin' }, token);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'forbidden', message: expect.any(String) });
    expect((await get({ secret: SECRET, requireRole: ['admin', 'user'] }, token)).status).toBe(200);
  });

  it('when the group is missing, then 403; any listed group is enough', async () => {
    const token = signToken(claims({ groups: ['staff'] }), SECRET);
    expect((await get({ secret: SECRET, requireGroup: 'billing' }, token)).status).toBe(403);
    expect((await get({ secret: SECRET, requireGroup: ['billing', 'staff'] }, token)).status).toBe(200);
    const noGroups = signToken(claims({ groups: 'staff' }), SECRET);
    expect((await get({ secret: SECRET, requireGroup: 'staff' }, noGroups)).status).toBe(403);
  });

  it('refuses to start without a secret or with a short one', () => {
    expect(() => jawthAuth({})).toThrow(/secret/);
    expect(() => jawthAuth({ secret: 'short' })).toThrow(/32 bytes/);
  });
});

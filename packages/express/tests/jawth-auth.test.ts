import crypto from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { jawthAuth, type JawthAuthOptions } from '../src';

/**
 * @jawth/express on its own: tokens made here by hand (HMAC over the header and payload), so
 * that nothing normalises them, and an Express app through supertest. The hostile-token list and
 * tokens from a real jawth login are in jawth's tests/libs/express-middleware.test.ts.
 */
const SECRET = 'an-application-secret-of-at-least-32-bytes';
const seconds = () => Math.floor(Date.now() / 1000);

function token(payload: object, { alg = 'HS256', key = SECRET, hash = 'sha256' } = {}) {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg, typ: 'JWT', kid: 'v1' })}.${b64(payload)}`;
  return `${input}.${crypto.createHmac(hash, key).update(input).digest('base64url')}`;
}

function claims(extra: object = {}) {
  const iat = seconds();
  return {
    username: 'ada',
    id: 'u1',
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

function call(options: JawthAuthOptions, bearer?: string) {
  const app = express();
  app.get('/me', jawthAuth(options), (req, res) => {
    res.json(req.auth);
  });
  const req = request(app).get('/me');
  return bearer === undefined ? req : req.set('Authorization', `Bearer ${bearer}`);
}

const invalid = { error: 'unauthorized', message: 'The token is invalid.' };

describe('jawthAuth (@jawth/express)', () => {
  it('when the token is HS256 with the secret, then the claims are on req.auth', async () => {
    const res = await call({ secret: SECRET, issuer: 'jawth' }, token(claims()));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'ada', role: 'user', groups: ['staff'] });
  });

  it('when the token says alg none, then 401 invalid, whatever it carries as a signature', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims())).toString('base64url');
    for (const bearer of [`${header}.${payload}.`, `${header}.${payload}.${token(claims()).split('.')[2]}`]) {
      const res = await call({ secret: SECRET }, bearer);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(res.body).toEqual(invalid);
    }
  });

  it('when the token is HS512 with the right secret, then 401: HS256 is pinned', async () => {
    const res = await call({ secret: SECRET }, token(claims(), { alg: 'HS512', hash: 'sha512' }));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(invalid);
  });

  it('when the token has expired, then 401 saying so, with no detail of the check', async () => {
    const res = await call({ secret: SECRET }, token(claims({ iat: seconds() - 120, exp: seconds() - 60 })));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: 'The token has expired.' });
  });

  it('when the token has no exp, then 401', async () => {
    const noExp: Record<string, unknown> = claims();
    delete noExp.exp;
    expect((await call({ secret: SECRET }, token(noExp))).status).toBe(401);
  });

  it('when the token is signed with another secret, then 401; listed as a second secret, 200', async () => {
    const other = 'another-secret-that-is-also-32-bytes-long';
    expect((await call({ secret: SECRET }, token(claims(), { key: other }))).body).toEqual(invalid);
    expect((await call({ secrets: [SECRET, other] }, token(claims(), { key: other }))).status).toBe(200);
  });

  it('when the role or the group is missing, then 403', async () => {
    const bearer = token(claims());
    expect((await call({ secret: SECRET, requireRole: 'admin' }, bearer)).body.error).toBe('forbidden');
    expect((await call({ secret: SECRET, requireGroup: ['billing'] }, bearer)).status).toBe(403);
    expect((await call({ secret: SECRET, requireRole: ['admin', 'user'], requireGroup: 'staff' }, bearer)).status).toBe(
      200,
    );
  });

  it('without a bearer token, then 401 with the bare challenge', async () => {
    const res = await call({ secret: SECRET });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('turns each secret into a key once, when the middleware is made, not per request', async () => {
    const createSecretKey = jest.spyOn(crypto, 'createSecretKey');
    try {
      const app = express();
      app.get('/me', jawthAuth({ secrets: [SECRET, `${SECRET}-previous`] }), (_req, res) => {
        res.end();
      });
      for (let i = 0; i < 3; i += 1) {
        expect(
          (
            await request(app)
              .get('/me')
              .set('Authorization', `Bearer ${token(claims())}`)
          ).status,
        ).toBe(200);
      }
      expect(createSecretKey).toHaveBeenCalledTimes(2);
    } finally {
      createSecretKey.mockRestore();
    }
  });

  it('refuses to be made without a secret or with one shorter than 32 bytes', () => {
    expect(() => jawthAuth({})).toThrow(/secret/);
    expect(() => jawthAuth({ secret: 'x'.repeat(31) })).toThrow(/32 bytes/);
  });
});

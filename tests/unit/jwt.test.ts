import { jwtVerify, SignJWT } from 'jose';
import { signToken, TokenError, verifyToken } from '../../src/crypto/jwt';
import { handmade, hostileTokens } from '../helpers/hostile-tokens';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';
const now = Math.floor(Date.now() / 1000);
const claims = { sub: 'alice', iat: now, exp: now + 60 };

describe('verifyToken', () => {
  it('accepts an HS256 token signed with the secret and returns its claims', () => {
    expect(verifyToken(signToken(claims, SECRET), SECRET)).toEqual(claims);
  });

  it.each(hostileTokens(claims, SECRET))('rejects %s', (_name, token) => {
    expect(() => verifyToken(token, SECRET)).toThrow(TokenError);
  });

  it('rejects an expired token, and a token without exp when exp is required', () => {
    expect(() => verifyToken(signToken({ ...claims, exp: now - 1 }, SECRET), SECRET)).toThrow(TokenError);
    expect(() => verifyToken(signToken({ sub: 'x' }, SECRET), SECRET, { requireExp: true })).toThrow(TokenError);
  });

  it('tries each candidate secret, for rotation grace', () => {
    const token = signToken(claims, SECRET);
    expect(verifyToken(token, ['another-secret-of-at-least-32-bytes!!', SECRET])).toEqual(claims);
  });

  it('verifies the RFC 7515 appendix A.1 example with its key', () => {
    const token =
      'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
      '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
      '.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const key = Buffer.from(
      'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow',
      'base64url',
    );
    expect(verifyToken(token, key, { now: 1300819300 })).toEqual({
      iss: 'joe',
      exp: 1300819380,
      'http://example.com/is_root': true,
    });
    expect(() => verifyToken(token, key)).toThrow(TokenError); // expired in 2011
  });

  it('interoperates with jose both ways', async () => {
    const key = new TextEncoder().encode(SECRET);
    const ours = signToken(claims, SECRET, 'v3');
    const { payload, protectedHeader } = await jwtVerify(ours, key, { algorithms: ['HS256'] });
    expect(payload).toEqual(claims);
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'v3' });
    const theirs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(key);
    expect(verifyToken(theirs, SECRET)).toEqual(claims);
  });

  it('is not fooled by a header that names HS256 but a payload signed with another key', () => {
    expect(() => verifyToken(handmade({ alg: 'HS256' }, claims, 'x'.repeat(40)), SECRET)).toThrow(TokenError);
  });
});

describe('TokenError kind (what admin authentication reports as its reason)', () => {
  const kind = (
    token: string,
    options: Parameters<typeof verifyToken>[2] = {},
    secrets: string | string[] = SECRET,
  ) => {
    try {
      verifyToken(token, secrets, options);
    } catch (error) {
      return error instanceof TokenError ? error.kind : 'not a TokenError';
    }
    return 'accepted';
  };
  const other = 'another-secret-of-at-least-32-bytes!!';

  it.each([
    [
      'alg none',
      handmade({ alg: 'HS256' }, claims, SECRET).replace(/^[^.]+/, Buffer.from('{"alg":"none"}').toString('base64url')),
      'algorithm',
    ],
    ['HS512', handmade({ alg: 'HS512' }, claims, SECRET, 'sha512'), 'algorithm'],
    ['another key', signToken(claims, other), 'signature'],
    ['an expired token', signToken({ ...claims, exp: now - 1 }, SECRET), 'expired'],
    ['a token not yet valid', signToken({ ...claims, nbf: now + 600 }, SECRET), 'not_before'],
    ['two segments', 'abc.def', 'malformed'],
  ])('%s is %s', (_what, token, expected) => {
    expect(kind(token)).toBe(expected);
  });

  it('evenTiming refuses another key as a signature mismatch too, and still tries every candidate', () => {
    expect(kind(signToken(claims, other), { evenTiming: true })).toBe('signature');
    expect(kind(signToken(claims, SECRET), { evenTiming: true }, [other, SECRET])).toBe('accepted');
  });

  it('ignoreTimes leaves exp and nbf to the caller', () => {
    expect(kind(signToken({ ...claims, exp: now - 1, nbf: now + 600 }, SECRET), { ignoreTimes: true })).toBe(
      'accepted',
    );
  });
});

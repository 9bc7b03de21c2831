import { parseConfig } from '../../src/config/config';
import { signToken } from '../../src/crypto/jwt';
import { authenticateSignedRequest } from '../../src/services/admin-auth.service';
import { AppError } from '../../src/errors';

const SECRET_KEY = 'unit-secret-key-of-at-least-32-bytes!!';
const JAWTH_KEY = 'JAWTHPASSWORD';
const config = parseConfig({ SECRET_KEY, JAWTH_KEY });
const now = new Date();
const request = (token: string) => ({
  token,
  method: 'GET',
  path: '/applications',
  origin: 'http://127.0.0.1:5000',
  body: undefined,
  now,
});

describe('authenticateSignedRequest', () => {
  it("refuses JaWTh's tokens without exp by default and accepts them with ADMIN_ALLOW_NO_EXP", () => {
    const token = signToken({ password: JAWTH_KEY }, SECRET_KEY);
    expect(() => authenticateSignedRequest(request(token), config)).toThrow(AppError);
    const lenient = parseConfig({ SECRET_KEY, JAWTH_KEY, ADMIN_ALLOW_NO_EXP: 'true' });
    expect(authenticateSignedRequest(request(token), lenient)).toEqual({});
  });

  it('bounds exp - iat by ADMIN_TOKEN_MAX_TTL, and exp - now when iat is missing', () => {
    const iat = Math.floor(now.getTime() / 1000);
    const short = parseConfig({ SECRET_KEY, JAWTH_KEY, ADMIN_TOKEN_MAX_TTL: '30s' });
    expect(
      authenticateSignedRequest(request(signToken({ password: JAWTH_KEY, iat, exp: iat + 30 }, SECRET_KEY)), short),
    ).toEqual({});
    expect(() =>
      authenticateSignedRequest(request(signToken({ password: JAWTH_KEY, iat, exp: iat + 31 }, SECRET_KEY)), short),
    ).toThrow(AppError);
    expect(() =>
      authenticateSignedRequest(request(signToken({ password: JAWTH_KEY, exp: iat + 3600 }, SECRET_KEY)), short),
    ).toThrow(AppError);
  });

  it('returns the signed data', () => {
    const iat = Math.floor(now.getTime() / 1000);
    const token = signToken({ password: JAWTH_KEY, data: { name: 'x' }, iat, exp: iat + 60 }, SECRET_KEY);
    expect(authenticateSignedRequest(request(token), config)).toEqual({ name: 'x' });
  });
});

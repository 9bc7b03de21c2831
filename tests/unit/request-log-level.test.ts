import { requestLogLevel } from '../../src/http/request-log-level';

const at = (url: string, statusCode: number, error?: Error) => requestLogLevel({ url }, { statusCode }, error);

describe('requestLogLevel', () => {
  it('logs successful token issuance at debug', () => {
    expect(at('/token/access', 200)).toBe('debug');
    expect(at('/token/access/10m', 200)).toBe('debug');
    expect(at('/my-app/refresh', 200)).toBe('debug');
  });

  it('keeps failures of the hot routes at info, and server errors at error', () => {
    expect(at('/token/access/10m', 401)).toBe('info');
    expect(at('/my-app/refresh', 401)).toBe('info');
    expect(at('/token/access', 500)).toBe('error');
    expect(at('/token/access', 200, new Error('boom'))).toBe('error');
  });

  it('keeps logins, Quid refresh tokens and admin routes at info', () => {
    expect(at('/my-app/login', 200)).toBe('info');
    expect(at('/token/refresh/1h', 200)).toBe('info');
    expect(at('/token/refresh', 200)).toBe('info');
    expect(at('/my-app/users', 200)).toBe('info');
    expect(at('/applications', 201)).toBe('info');
  });
});

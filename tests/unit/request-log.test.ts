import { requestLogLevel } from '../../src/http/middleware/request-log';
import { ROUTES } from '../../src/http/routes';

/** The level of an answer of the declared route `METHOD path`. */
function at(declared: string, status: number) {
  const route = ROUTES.find((r) => `${r.method.toUpperCase()} ${r.path}` === declared);
  if (!route) throw new Error(`no route ${declared}`);
  return requestLogLevel(route, status);
}

describe('requestLogLevel', () => {
  it('logs successful token issuance at debug', () => {
    expect(at('POST /token/access{/:ttl}', 200)).toBe('debug');
    expect(at('POST /:app/refresh', 200)).toBe('debug');
  });

  it('keeps failures of the hot routes at info, and server errors at error', () => {
    expect(at('POST /token/access{/:ttl}', 401)).toBe('info');
    expect(at('POST /:app/refresh', 401)).toBe('info');
    expect(at('POST /token/access{/:ttl}', 500)).toBe('error');
  });

  it('keeps logins, Quid refresh tokens, admin routes and unmatched paths at info', () => {
    expect(at('POST /:app/login', 200)).toBe('info');
    expect(at('POST /token/refresh{/:ttl}', 200)).toBe('info');
    expect(at('GET /:app/users', 200)).toBe('info');
    expect(at('POST /applications', 201)).toBe('info');
    expect(requestLogLevel(undefined, 404)).toBe('info');
  });
});

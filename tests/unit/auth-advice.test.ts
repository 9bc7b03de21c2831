import { authAdvice } from '../../src/cli/auth-advice';
import { AUTH_REASONS } from '../../src/errors';

describe('authAdvice', () => {
  it.each(AUTH_REASONS)('gives one line of advice for %s', (reason) => {
    const advice = authAdvice(reason, '/srv/jawth/.env');
    expect(advice).toEqual(expect.any(String));
    expect(advice).not.toContain('\n');
  });

  it('names the file the keys came from for signature_or_credential', () => {
    expect(authAdvice('signature_or_credential', '/srv/jawth/.env')).toBe(
      "the server's SECRET_KEY/JAWTH_KEY differ from the ones in /srv/jawth/.env",
    );
  });

  it.each([undefined, 'something_new', 42, 'toString'])('gives none for %p', (reason) => {
    expect(authAdvice(reason, '/srv/jawth/.env')).toBeUndefined();
  });
});

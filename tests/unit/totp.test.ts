import { Secret, TOTP } from 'otpauth';
import { matchingStep, newTotpSecret, otpauthUri, timeStep, totpCode } from '../../src/crypto/totp';
import { open, seal } from '../../src/crypto/secret-box';

// RFC 6238 Appendix B, SHA-1: the seed is the ASCII of "12345678901234567890".
const SEED = Secret.fromLatin1('12345678901234567890').base32;
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (otpauth) against RFC 6238 Appendix B', () => {
  it.each(VECTORS)('at T=%i the 8-digit SHA-1 code is %s', (seconds, expected) => {
    const totp = new TOTP({ algorithm: 'SHA1', digits: 8, period: 30, secret: Secret.fromBase32(SEED) });
    expect(totp.generate({ timestamp: seconds * 1000 })).toBe(expected);
  });

  it.each(VECTORS)("at T=%i jawth's 6-digit code is the vector's last six digits", (seconds, expected) => {
    expect(totpCode(SEED, new Date(seconds * 1000))).toBe(expected.slice(2));
  });

  it('matches a code within one step either side, and names its step', () => {
    const now = new Date(1111111111 * 1000);
    const step = timeStep(now);
    expect(matchingStep(SEED, totpCode(SEED, now), now)).toBe(step);
    expect(matchingStep(SEED, totpCode(SEED, new Date(now.getTime() - 30_000)), now)).toBe(step - 1);
    expect(matchingStep(SEED, totpCode(SEED, new Date(now.getTime() + 30_000)), now)).toBe(step + 1);
    expect(matchingStep(SEED, totpCode(SEED, new Date(now.getTime() + 60_000)), now)).toBeNull();
    expect(matchingStep(SEED, 'abcdef', now)).toBeNull();
  });

  it('makes 160-bit base32 secrets and otpauth URIs with the issuer', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri(secret, 'shop', 'alice'));
    expect(uri.href.startsWith('otpauth://totp/shop:alice?')).toBe(true);
    expect(uri.searchParams.get('issuer')).toBe('shop');
  });
});

describe('sealed secrets (AES-256-GCM, key from SECRET_KEY by HKDF)', () => {
  const key = 'a-secret-key-of-at-least-thirty-two-bytes';

  it('open what was sealed, with a new nonce each time', () => {
    const a = seal('JBSWY3DPEHPK3PXP', key);
    const b = seal('JBSWY3DPEHPK3PXP', key);
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(open(a, key)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuse another SECRET_KEY and an altered ciphertext', () => {
    const sealed = seal('JBSWY3DPEHPK3PXP', key);
    expect(() => open(sealed, `${key}-rotated`)).toThrow();
    const [v, nonce, data, tag] = sealed.split('.');
    const flipped = `${data[0] === 'A' ? 'B' : 'A'}${data.slice(1)}`;
    expect(() => open([v, nonce, flipped, tag].join('.'), key)).toThrow();
  });
});

import type { Secret as SecretClass, TOTP as TotpClass } from 'otpauth';

// Loaded on first use (enrolment, a second-factor login): an idle server without second factors
// does not need them (bench/README.md, idle).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const otpauth = () => require('otpauth') as { Secret: typeof SecretClass; TOTP: typeof TotpClass };

/** RFC 6238 as every authenticator app reads it: HMAC-SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD = 30;
const DIGITS = 6;
/** One step either side: a phone's clock a little off, a code typed at the end of its window. */
const SKEW = 1;

function totp(secret: string, issuer = 'jawth', label = 'user'): TotpClass {
  const { Secret, TOTP } = otpauth();
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_PERIOD,
    secret: Secret.fromBase32(secret),
  });
}

/** A new secret of 160 bits (RFC 4226's recommendation), in base32 as apps take it. */
export function newTotpSecret(): string {
  return new (otpauth().Secret)({ size: 20 }).base32;
}

/** The `otpauth://totp/...` URI an authenticator app scans. */
export function otpauthUri(secret: string, issuer: string, label: string): string {
  return totp(secret, issuer, label).toString();
}

export function qrSvg(text: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const QRCode = require('qrcode') as typeof import('qrcode');
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The time step of a moment: the counter RFC 6238 feeds HOTP. */
export function timeStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD);
}

/** The code of a secret at a moment (tests and the console's e2e test compute codes with it). */
export function totpCode(secret: string, now: Date): string {
  return totp(secret).generate({ timestamp: now.getTime() });
}

/**
 * The time step whose code this is, within one step of `now`, or null. The caller spends the
 * step (accepting only steps after the last one accepted), so that a code is accepted once.
 */
export function matchingStep(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secret).validate({ token: code, timestamp: now.getTime(), window: SKEW });
  return delta === null ? null : timeStep(now) + delta;
}

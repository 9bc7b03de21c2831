import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';

/**
 * Verifies a jawth token with jose. HS256 is pinned: the algorithm is never read from the token.
 * The guard clauses below refuse, before any HMAC is computed, the shapes jawth's server refuses
 * too (an oversized token, another algorithm, headers that point at a key or demand extensions,
 * times that are not numbers); jose then checks the signature in constant time, `exp` and the
 * claims asked for.
 */
export const MAX_TOKEN_BYTES = 8192;
const ALGORITHM = 'HS256';
const MIN_SECRET_BYTES = 32;
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64'];
const NUMERIC_CLAIMS = ['exp', 'nbf', 'iat'];

export type Claims = Record<string, unknown>;

/** Why a token was refused; only `expired` changes what the caller is told. */
export class TokenRefused extends Error {
  constructor(
    message: string,
    readonly expired = false,
  ) {
    super(message);
    this.name = 'TokenRefused';
  }
}

export interface VerifyOptions {
  audience?: string;
  issuer?: string;
  /** Seconds of leeway for `exp` and `nbf`. */
  clockTolerance?: number;
  /** Seconds since the epoch; defaults to now. */
  now?: number;
}

/**
 * One KeyObject per secret, made once when the middleware is made: a key handed to jose as bytes
 * would be imported again on every request.
 */
export function secretKeys(secrets: (string | Buffer)[]): KeyObject[] {
  if (secrets.length === 0) throw new Error('jawthAuth: a secret (or secrets) is required');
  return secrets.map((secret) => {
    // RFC 7518 §3.2: an HS256 key shorter than the hash is guessable; jawth never issues one.
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new Error('jawthAuth: secrets are at least 32 bytes');
    return createSecretKey(Buffer.isBuffer(secret) ? Buffer.from(secret) : Buffer.from(secret, 'utf8'));
  });
}

/** The claims of a token signed with one of `keys`, or TokenRefused. */
export async function verifyJawthToken(token: string, keys: KeyObject[], options: VerifyOptions = {}): Promise<Claims> {
  checkShape(token);
  for (const [index, key] of keys.entries()) {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ALGORITHM],
        requiredClaims: ['exp'],
        audience: options.audience,
        issuer: options.issuer,
        clockTolerance: options.clockTolerance,
        currentDate: options.now === undefined ? undefined : new Date(options.now * 1000),
      });
      return payload;
    } catch (error) {
      // During a rotation's grace the next secret may be the right one; any other refusal is final.
      const anotherKey = index < keys.length - 1;
      if (error instanceof errors.JWSSignatureVerificationFailed && anotherKey) continue;
      throw new TokenRefused(
        error instanceof Error ? error.message : 'invalid token',
        error instanceof errors.JWTExpired,
      );
    }
  }
  throw new TokenRefused('no key to verify with');
}

function checkShape(token: string): void {
  if (token.length > MAX_TOKEN_BYTES) throw new TokenRefused('token too large');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    throw new TokenRefused('token is not a compact JWS');
  }
  const header = parseSegment(parts[0]);
  if (header.alg !== ALGORITHM) throw new TokenRefused('algorithm must be HS256');
  if (parts[2] === '') throw new TokenRefused('token has no signature');
  for (const name of FORBIDDEN_HEADERS) {
    if (name in header) throw new TokenRefused(`header ${name} is not accepted`);
  }
  const claims = parseSegment(parts[1]);
  for (const name of NUMERIC_CLAIMS) {
    if (name in claims && (typeof claims[name] !== 'number' || !Number.isFinite(claims[name]))) {
      throw new TokenRefused(`claim ${name} must be a number`);
    }
  }
}

function parseSegment(segment: string): Claims {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRefused('token segment is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenRefused('token segment must be a JSON object');
  }
  return value as Claims;
}

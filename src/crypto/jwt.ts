import crypto, { type KeyObject } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';

/**
 * The only importer of the JWT library. Every token is signed and verified as HS256: the
 * algorithm is pinned here and never read from a token. Headers that would let a token point
 * at its own key (`jku`, `x5u`, `jwk`, `x5c`) or demand extensions (`crit`) are refused.
 */
export const MAX_TOKEN_BYTES = 8192;
const ALGORITHM = 'HS256';
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit'];
const NUMERIC_CLAIMS = ['exp', 'nbf', 'iat'];

export type Claims = Record<string, unknown>;

/** What made a token unacceptable; admin authentication reports it (docs/api.md, Authenticating admin requests). */
export type TokenErrorKind = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not_before' | 'claim';

export class TokenError extends Error {
  constructor(
    message: string,
    readonly kind: TokenErrorKind = 'malformed',
  ) {
    super(message);
  }
}

// A string secret makes jsonwebtoken re-import the key on every call (~90x slower); a cached
// KeyObject per secret keeps signing at ~100k/s. Bounded so that rotated secrets fall out.
// Process-wide on purpose: keyed by the secret itself, it holds nothing of any one database.
const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_LIMIT = 10_000;

export function secretKey(secret: string | Buffer): KeyObject {
  if (Buffer.isBuffer(secret)) return crypto.createSecretKey(secret);
  let key = keyCache.get(secret);
  if (!key) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
    key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
    keyCache.set(secret, key);
  }
  return key;
}

export function signToken(claims: Claims, secret: string, kid?: string): string {
  return jsonwebtoken.sign(claims, secretKey(secret), {
    algorithm: ALGORITHM,
    ...(kid === undefined ? {} : { keyid: kid }),
  });
}

export interface VerifyOptions {
  /** Seconds since the epoch; defaults to now. Tests pass a fake clock. */
  now?: number;
  requireExp?: boolean;
  audience?: string;
  issuer?: string;
  /** Seconds of leeway for `exp` and `nbf` (clock skew between servers). */
  clockTolerance?: number;
  /** Checks the signature only; the caller checks `exp` and `nbf` itself (admin tokens do). */
  ignoreTimes?: boolean;
  /**
   * Checks the HMAC first and refuses a mismatch without jsonwebtoken's thrown error, so that a
   * wrong key costs about what a right one does (admin tokens). Off elsewhere: it adds an HMAC.
   */
  evenTiming?: boolean;
}

/** The decoded header, checked for shape only. Lets a caller pick a key by `kid`. */
export function readHeader(token: string): Claims {
  if (token.length > MAX_TOKEN_BYTES) throw new TokenError('token too large');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    throw new TokenError('token is not a compact JWS');
  }
  const header = parseSegment(parts[0]);
  if (header.alg !== ALGORITHM) throw new TokenError('algorithm must be HS256', 'algorithm');
  if (parts[2] === '') throw new TokenError('token has no signature');
  for (const name of FORBIDDEN_HEADERS) {
    if (name in header) throw new TokenError(`header ${name} is not accepted`);
  }
  if ('b64' in header) throw new TokenError('header b64 is not accepted');
  return header;
}

/** Verifies an HS256 token against one or more candidate secrets; returns its claims. */
export function verifyToken(
  token: string,
  secrets: string | Buffer | (string | Buffer)[],
  options: VerifyOptions = {},
): Claims {
  readHeader(token);
  const claims = parseSegment(token.split('.')[1]);
  for (const name of NUMERIC_CLAIMS) {
    if (name in claims && (typeof claims[name] !== 'number' || !Number.isFinite(claims[name]))) {
      throw new TokenError(`claim ${name} must be a number`);
    }
  }
  if (options.requireExp && claims.exp === undefined) throw new TokenError('claim exp is required');
  const candidates = Array.isArray(secrets) ? secrets : [secrets];
  let lastError: unknown;
  for (const secret of candidates) {
    const key = secretKey(secret);
    if (options.evenTiming && !signedBy(token, key)) {
      lastError = new TokenError('invalid signature', 'signature');
      continue;
    }
    try {
      const verified = jsonwebtoken.verify(token, key, {
        algorithms: [ALGORITHM],
        clockTimestamp: options.now ?? Math.floor(Date.now() / 1000),
        ...(options.audience === undefined ? {} : { audience: options.audience }),
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
        ...(options.clockTolerance === undefined ? {} : { clockTolerance: options.clockTolerance }),
        ...(options.ignoreTimes ? { ignoreExpiration: true, ignoreNotBefore: true } : {}),
      });
      if (typeof verified !== 'object' || verified === null || Array.isArray(verified)) {
        throw new TokenError('payload must be a JSON object');
      }
      return verified as Claims;
    } catch (error) {
      lastError = error;
      if (!(error instanceof jsonwebtoken.JsonWebTokenError) || error.message !== 'invalid signature') break;
    }
  }
  if (lastError instanceof TokenError) throw lastError;
  throw new TokenError(lastError instanceof Error ? lastError.message : 'invalid token', kindOf(lastError));
}

/** The HMAC-SHA256 check jsonwebtoken makes too, compared in constant time (evenTiming). */
function signedBy(token: string, key: KeyObject): boolean {
  const dot = token.lastIndexOf('.');
  const expected = crypto.createHmac('sha256', key).update(token.slice(0, dot)).digest();
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function kindOf(error: unknown): TokenErrorKind {
  if (error instanceof jsonwebtoken.TokenExpiredError) return 'expired';
  if (error instanceof jsonwebtoken.NotBeforeError) return 'not_before';
  if (!(error instanceof jsonwebtoken.JsonWebTokenError)) return 'malformed';
  if (error.message === 'invalid signature') return 'signature';
  return /^jwt (audience|issuer|subject|id) invalid/.test(error.message) ? 'claim' : 'malformed';
}

function parseSegment(segment: string): Claims {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('token segment is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenError('token segment must be a JSON object');
  }
  return value as Claims;
}

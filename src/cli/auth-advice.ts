import { AUTH_REASONS, type AuthReason } from '../errors';

const CLOCK = "check this machine's clock against the server's";

/**
 * One line of advice per `reason` of a refused admin credential (docs/api.md, Authenticating admin requests), in place of the
 * server's bare "A valid admin credential is required.". `keysFrom` names where the CLI read its keys.
 */
const ADVICE: Record<AuthReason, (keysFrom: string) => string> = {
  missing: () => 'the server got no admin token: a proxy in between may drop the `auth` header',
  malformed: () => 'the server could not read the token: a proxy in between may rewrite the `auth` header',
  algorithm: () => 'the token is not signed HS256: sign it with `jawth token`',
  expired: () => `the token had expired when it arrived: ${CLOCK}, or sign with a longer --ttl`,
  lifetime: () => `the token outlives the server's ADMIN_TOKEN_MAX_TTL: sign with a shorter --ttl and ${CLOCK}`,
  issued_in_future: () => `the token is dated ahead of the server's time: ${CLOCK}`,
  method_mismatch: () => 'the token was signed for another HTTP method (htm): sign it for the method you send',
  path_mismatch: () =>
    'the token was signed for another path, query or origin (htu): give --url as the server is reached',
  replayed: () => 'a token can be sent once (it carries a jti): sign a new one for every request',
  session_ended: () => 'the console session has ended (logged out or expired): log in again',
  signature_or_credential: (keysFrom) => `the server's SECRET_KEY/JAWTH_KEY differ from the ones in ${keysFrom}`,
};

/** The advice for a 401 answer's reason, or undefined for a reason this CLI does not know. */
export function authAdvice(reason: unknown, keysFrom: string): string | undefined {
  const known = AUTH_REASONS.find((name) => name === reason);
  return known ? ADVICE[known](keysFrom) : undefined;
}

/**
 * One error type for every refusal the API makes. The code decides the status; the message is
 * for people; `cause` is for the log only and never leaves the server.
 */
const STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  weak_password: 400,
  unsigned_body: 400,
  body_mismatch: 400,
  ttl_exceeds_max: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  invalid_token: 401,
  invalid_code: 401,
  refresh_token_reused: 401,
  forbidden: 403,
  origin_not_allowed: 403,
  not_found: 404,
  conflict: 409,
  /** Sign-up in `open` mode only: `confirm` mode never tells (docs/api.md, POST /:app/signup). */
  username_taken: 409,
  email_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
  /** More password checks waiting than LOGIN_QUEUE_MAX: refused at once (docs/api.md, Brute-force protection). */
  overloaded: 503,
} as const;

export type ErrorCode = keyof typeof STATUS;

/**
 * docs/api.md, Authenticating admin requests: the rule a refused admin credential broke, sent as `reason` beside
 * `unauthorized` so that an admin can fix the token. `signature_or_credential` covers a wrong
 * SECRET_KEY and a wrong JAWTH_KEY alike: telling them apart would help a guesser.
 */
export const AUTH_REASONS = [
  'missing',
  'malformed',
  'algorithm',
  'expired',
  'lifetime',
  'issued_in_future',
  'method_mismatch',
  'path_mismatch',
  'replayed',
  'session_ended',
  'signature_or_credential',
] as const;

export type AuthReason = (typeof AUTH_REASONS)[number];

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  /** Seconds, sent as Retry-After (rate_limited, overloaded). */
  readonly retryAfter?: number;
  /** Which admin authentication rule failed (unauthorized), sent as `reason`. */
  readonly reason?: AuthReason;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldProblem[],
    options?: { cause?: unknown; retryAfter?: number; reason?: AuthReason },
  ) {
    super(message, options);
    this.status = STATUS[code];
    this.retryAfter = options?.retryAfter;
    this.reason = options?.reason;
  }
}

/** Guard clause that reads like the rule it enforces: `assertThat(user, 'not_found', '...')`. */
export function assertThat(condition: unknown, code: ErrorCode, message: string): asserts condition {
  if (!condition) throw new AppError(code, message);
}

/** What an error says of itself and wraps, as drivers and Sequelize's wrappers give it. */
export interface DescribedError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  parent?: unknown;
  original?: unknown;
  cause?: unknown;
}

/** The error and what it wraps: Sequelize's `parent`/`original`, a standard `cause` (8 links at most). */
export function errorChain(error: unknown): DescribedError[] {
  const links: DescribedError[] = [];
  let current = error;
  while (current && typeof current === 'object' && !links.includes(current) && links.length < 8) {
    links.push(current);
    const { parent, original, cause } = current as DescribedError;
    current = parent ?? original ?? cause;
  }
  return links;
}

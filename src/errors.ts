/**
 * The catalogue of every error the API answers: each code has one status and one meaning, and
 * a public message said when the thrower gives none (docs/api.md, Errors). A route lists the
 * codes of its own refusals (`errors` in its declaration); the ones any route may answer are
 * added by `answerableCodes` (http/route.ts).
 */
export const ERRORS = {
  validation_failed: { status: 400, message: 'The request is not valid.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  weak_password: { status: 400, message: 'This password is too easy to guess.' },
  unsigned_body: { status: 400, message: 'An admin request carries its data in the signed token, not in the body.' },
  body_mismatch: { status: 400, message: "The body differs from the signed token's data." },
  ttl_exceeds_max: { status: 400, message: "The lifetime asked for exceeds the application's maximum." },
  unauthorized: { status: 401, message: 'The admin credential was refused.' },
  invalid_credentials: { status: 401, message: 'The username or password is incorrect.' },
  invalid_token: { status: 401, message: 'The token is not valid.' },
  invalid_code: { status: 401, message: 'The code is not valid.' },
  refresh_token_reused: { status: 401, message: 'This refresh token was used already: its session is ended.' },
  forbidden: { status: 403, message: 'This credential may not do this.' },
  origin_not_allowed: { status: 403, message: 'This origin may not call this endpoint for this application.' },
  console_session_required: { status: 403, message: 'Only a console session names an admin account.' },
  mfa_off: { status: 403, message: 'This application does not use a second factor.' },
  not_found: { status: 404, message: 'No route answers this method and path.' },
  application_not_found: { status: 404, message: 'No application has this name.' },
  user_not_found: { status: 404, message: 'No user of this application has this name.' },
  group_not_found: { status: 404, message: 'No group of this application has this name.' },
  org_not_found: { status: 404, message: 'No org has this name.' },
  session_not_found: { status: 404, message: 'No live session of this user has this id.' },
  application_key_not_found: { status: 404, message: 'No key of this application has this id.' },
  webhook_not_found: { status: 404, message: 'No webhook of this application has this id.' },
  delivery_not_found: { status: 404, message: 'This webhook has no delivery with this id.' },
  admin_account_not_found: { status: 404, message: 'No admin account has this name.' },
  second_factor_not_found: { status: 404, message: 'There is no second factor to remove.' },
  signup_disabled: { status: 404, message: 'This application takes no sign-ups.' },
  recovery_disabled: { status: 404, message: 'This application does not recover passwords.' },
  application_name_taken: { status: 409, message: 'An application has this name already.' },
  username_taken: { status: 409, message: 'This username is taken in this application.' },
  email_taken: { status: 409, message: 'Another user of this application has this e-mail address.' },
  group_name_taken: { status: 409, message: 'This application has a group of this name already.' },
  org_name_taken: { status: 409, message: 'An org has this name already.' },
  admin_exists: { status: 409, message: 'An admin account exists already.' },
  second_factor_active: { status: 409, message: 'A second factor is already active.' },
  enrolment_in_progress: { status: 409, message: 'Another enrolment is under way; try again.' },
  no_enrolment_pending: { status: 409, message: 'No enrolment is pending; enrol first.' },
  webhook_disabled: { status: 409, message: 'This endpoint is disabled; turn it back on first.' },
  delivery_in_flight: { status: 409, message: 'An attempt of this delivery is in flight; try again in a moment.' },
  delivery_state: { status: 409, message: 'This delivery is not in a state that allows it.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send the body as JSON, with Content-Type: application/json.' },
  rate_limited: { status: 429, message: 'Too many failed attempts; try again later.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
  service_unavailable: { status: 503, message: 'The database is unavailable; try again shortly.' },
  /** More password checks waiting than LOGIN_QUEUE_MAX: refused at once (docs/api.md, Brute-force protection). */
  overloaded: { status: 503, message: 'Too many logins are being checked right now; try again shortly.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

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

/**
 * The one error type for every refusal the API makes: its code decides the status, and the
 * message (the catalogue's unless given) is public. `detail` and `cause` are for the log only
 * and never leave the server.
 */
export class AppError extends Error {
  readonly status: number;
  /** Seconds, sent as Retry-After (rate_limited, overloaded). */
  readonly retryAfter?: number;
  /** Which admin authentication rule failed (unauthorized), sent as `reason`. */
  readonly reason?: AuthReason;
  /** What the log says beside the code, for the operator only. */
  readonly detail?: string;

  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].message,
    readonly details?: FieldProblem[],
    options?: { cause?: unknown; retryAfter?: number; reason?: AuthReason; detail?: string },
  ) {
    super(message, options);
    this.status = ERRORS[code].status;
    this.retryAfter = options?.retryAfter;
    this.reason = options?.reason;
    this.detail = options?.detail;
  }
}

/** Guard clause that reads like the rule it enforces: `assertThat(user, 'user_not_found', '...')`. */
export function assertThat(condition: unknown, code: ErrorCode, message?: string): asserts condition {
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

import { z } from 'zod';
import { parseDuration } from '../config/duration';

const KINDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

/**
 * zod's messages in the API's words, for every schema: "is required" rather than "Invalid input:
 * expected string, received undefined". Issues a schema words itself keep their own message.
 */
z.config({
  customError: (issue) => {
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined ? 'is required' : `must be ${KINDS[issue.expected] ?? issue.expected}`;
      case 'unrecognized_keys':
        return `${issue.keys.length === 1 ? 'is not a field' : 'are not fields'} of this request`;
      case 'too_small':
        return issue.origin === 'string' ? `must be at least ${String(issue.minimum)} characters` : undefined;
      case 'too_big':
        return issue.origin === 'string' ? `must be at most ${String(issue.maximum)} characters` : undefined;
      default:
        return undefined;
    }
  },
});

/** First path segments that can never be application names (docs/api.md, Conventions). */
export const RESERVED_NAMES = new Set([
  'applications',
  'users',
  'orgs',
  'token',
  'admin',
  'health',
  'ready',
  'metrics',
  'audit',
  'openapi.json',
  'docs',
  'static',
  'assets',
]);

/**
 * NUL and the other control characters (C0, DEL, C1) are never part of a name (docs/api.md, Conventions):
 * SQLite cuts the statement at a NUL, PostgreSQL refuses or mangles it, and a log line or the
 * console would show something other than what is stored.
 */
export const CONTROL_CHARACTER = /\p{Cc}/u;
export const hasNoControlCharacter = (text: string) => !CONTROL_CHARACTER.test(text);
const NO_CONTROL = 'must not contain NUL or other control characters';

/** Any text that names or labels something: a string without control characters. */
export const plainText = () => z.string().refine(hasNoControlCharacter, NO_CONTROL);

/**
 * Format characters (`\p{Cf}`: zero-width spaces and joiners, U+2060, bidi controls such as
 * U+202E) are invisible or turn text around, so `own\u200Ber` would show as "owner" in the
 * console, the audit log and the `username` claim. RFC 8265's PRECIS IdentifierClass refuses them.
 */
export const FORMAT_CHARACTER = /\p{Cf}/u;
const hasNoFormatCharacter = (text: string) => !FORMAT_CHARACTER.test(text);
const NO_FORMAT = 'must not contain invisible or direction-changing characters (such as U+200B or U+202E)';

/**
 * What names a user or an account (docs/api.md, Conventions): Unicode NFC, so that an "é" typed
 * as one code point or as e + U+0301 is one name, without control or format characters. The one
 * schema of every identifier, in the API, at sign-up and in imports alike.
 */
export const identifier = () =>
  z.string().normalize('NFC').refine(hasNoControlCharacter, NO_CONTROL).refine(hasNoFormatCharacter, NO_FORMAT);

/**
 * Marks an issue that the public login endpoints answer like an unknown user (401
 * invalid_credentials) rather than 400: a refusal must not tell which input was odd.
 */
export const REFUSED_AS_CREDENTIALS = { refusal: 'invalid_credentials' } as const;

export const appNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'must be 1-63 lowercase letters, digits, _ or -, starting with a letter or digit',
  )
  .refine((name) => !RESERVED_NAMES.has(name), 'is a reserved name');

/** An application named on a public login path (`:app`, Quid's `namespace`): anything else is an unknown one. */
export const loginAppNameSchema = z
  .string()
  .refine((name) => appNameSchema.safeParse(name).success, { params: REFUSED_AS_CREDENTIALS });

/** A username typed at a login, as NFC: control and format characters answer like an unknown user. */
export const loginUsernameSchema = z
  .string()
  .normalize('NFC')
  .min(1)
  .max(1024)
  .refine(hasNoControlCharacter, { message: NO_CONTROL, params: REFUSED_AS_CREDENTIALS })
  .refine(hasNoFormatCharacter, { message: NO_FORMAT, params: REFUSED_AS_CREDENTIALS });

/** A password typed at a login; longer than 72 bytes never matches (see verifyPassword). */
export const loginPasswordSchema = z.string().min(1).max(1024);

export const usernameSchema = identifier()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .refine((name) => !name.includes('/'), 'must not contain /');

export const passwordSchema = z.string().min(1, 'must not be empty');

export const roleSchema = identifier().min(1).max(64);

export const memberNamesSchema = z.array(identifier().min(1).max(128)).max(100);

/** A Quid duration (`30s`, `10m`, `2h`, `7d`) within bounds, as seconds. */
const boundedDuration = (min: number, maxDays: number) =>
  z.string().transform((text, ctx) => {
    const seconds = parseDuration(text);
    if (seconds === undefined || seconds < min || seconds > maxDays * 86400) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a duration like 30s, 10m, 2h or 7d, from ${min}s to ${maxDays}d`,
      });
      return z.NEVER;
    }
    return seconds;
  });

export const durationSchema = boundedDuration(1, 365);

/** A lifetime already in seconds (a dump's): the same bounds as durationSchema. */
export const ttlSecondsSchema = z
  .number()
  .int()
  .min(1)
  .max(365 * 86400, 'must be at most 365d');

/** A stored password hash in the one form jawth verifies: bcrypt's `$2a$`/`$2b$`/`$2y$` string. */
export const passwordHashSchema = z
  .string()
  .regex(/^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/, 'must be a bcrypt hash ($2b$…)');
export const graceSchema = boundedDuration(0, 30);

export const paginationSchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

import { z } from 'zod';
import { parseDuration } from '../config/duration';

/** First path segments that can never be application names (contract §1). */
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

export const appNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'must be 1-63 lowercase letters, digits, _ or -, starting with a letter or digit',
  )
  .refine((name) => !RESERVED_NAMES.has(name), 'is a reserved name');

export const usernameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .refine((name) => !name.includes('/'), 'must not contain /');

export const passwordSchema = z.string().min(1, 'must not be empty');

export const roleSchema = z.string().min(1).max(64);

export const memberNamesSchema = z.array(z.string().min(1).max(128)).max(100);

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
export const graceSchema = boundedDuration(0, 30);

export const paginationSchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

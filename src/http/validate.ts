import type { z } from 'zod';
import { AppError } from '../errors';

/** Parses input with a schema; an invalid request becomes 400 validation_failed with per-field details. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field:
      issue.path.length > 0
        ? issue.path.join('.')
        : issue.code === 'unrecognized_keys'
          ? issue.keys.join(',')
          : '(body)',
    message: issue.message,
  }));
  throw new AppError('validation_failed', 'The request is not valid.', details);
}

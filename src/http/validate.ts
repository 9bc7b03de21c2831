import { z } from 'zod';
import { AppError } from '../errors';
import { REFUSED_AS_CREDENTIALS } from '../schemas/common.schema';

/** The answer of every public login endpoint to credentials that do not match (docs/api.md, POST /:app/login). */
export const invalidCredentials = () => new AppError('invalid_credentials');

/**
 * Parses input with a schema; an invalid request becomes 400 validation_failed with per-field
 * details, or, for a field marked REFUSED_AS_CREDENTIALS, the login endpoints' 401.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const refusedAsCredentials = result.error.issues.some(
    (issue) => issue.code === 'custom' && issue.params?.refusal === REFUSED_AS_CREDENTIALS.refusal,
  );
  if (refusedAsCredentials) throw invalidCredentials();
  const details = result.error.issues.map((issue) => ({
    field:
      issue.path.length > 0
        ? issue.path.join('.')
        : issue.code === 'unrecognized_keys'
          ? issue.keys.join(',')
          : '(body)',
    message: issue.message,
  }));
  const problems = details.map((d) => (d.field === '(body)' ? `the body ${d.message}` : `${d.field} ${d.message}`));
  throw new AppError('validation_failed', `The request is not valid: ${problems.join('; ')}.`, details);
}

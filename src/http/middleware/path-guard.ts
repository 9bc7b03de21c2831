import type { RequestHandler } from 'express';
import { AppError } from '../../errors';
import { hasNoControlCharacter } from '../../schemas/common.schema';
import { invalidCredentials } from '../validate';

/** The public login endpoints (`/:app/login`, `/token/refresh[/:ttl]`, `/admin/login`) answer like an unknown user. */
const LOGIN_PATH = /^\/(?:[^/]+\/login|token\/refresh(?:\/[^/]*)?)\/?$/;

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * docs/api.md, Conventions: no path segment may hold a NUL or another control character, and a segment that
 * is not valid percent-encoding names nothing. Both are refused here, before any route, the
 * audit log or CORS can take the segment to the database or choke on it.
 */
export const pathGuard: RequestHandler = (req, _res, next) => {
  const readable = req.path.split('/').every((segment) => {
    const decoded = decodeSegment(segment);
    return decoded !== undefined && hasNoControlCharacter(decoded);
  });
  if (readable) return next();
  if (req.method === 'POST' && LOGIN_PATH.test(req.path)) throw invalidCredentials();
  throw new AppError('validation_failed', 'The request path is not valid.', [
    { field: '(path)', message: 'must be valid percent-encoding without NUL or other control characters' },
  ]);
};

import pino, { type Logger } from 'pino';

/** Paths that may carry a credential: they are censored in every log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.auth',
  'req.headers.cookie',
  '*.password',
  '*.repeated_password',
  '*.secret',
  '*.token',
  '*.refresh_token',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

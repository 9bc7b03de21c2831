import pino, { type DestinationStream, type Logger } from 'pino';

/** Paths that may carry a credential: they are censored in every log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.auth',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'secret',
  'token',
  'refresh_token',
  '*.password',
  '*.repeated_password',
  '*.secret',
  // Application secrets, which the database holds sealed (application.service.ts, openedSecret).
  '*.previous_secret',
  '*.refresh_secret',
  '*.token',
  '*.refresh_token',
  // SMTP_URL holds the mail server's password (mail.service.ts logs it only redacted).
  'smtpUrl',
  '*.smtpUrl',
  // A database error carries its statement and bound values, which may hold hashes or secrets.
  'err.sql',
  'err.parameters',
  'err.original.sql',
  'err.original.parameters',
  'err.parent.sql',
  'err.parent.parameters',
  'err.cause.sql',
  'err.cause.parameters',
];

/**
 * JSON lines on stdout, or one short human-readable line per event (`pretty`, the default when
 * stdout is a terminal); or on `destination` (the tests capture it to prove the redaction).
 */
export function createLogger(level: string, destination?: DestinationStream, format?: 'json' | 'pretty'): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (destination) return pino(options, destination);
  if ((format ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'json') return pino(options);
  // Only for a terminal (or LOG_FORMAT=pretty): a server writing JSON never loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pino(
    options,
    pretty({
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss',
      // A request's line says it all in its message (method, path, status, time).
      ignore: 'pid,hostname,req,res,responseTime',
      colorize: process.stdout.isTTY,
    }),
  );
}

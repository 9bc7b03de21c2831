import type { IncomingMessage, ServerResponse } from 'node:http';

// Token issuance (`/token/access`, `/:app/refresh`) is the hot path: one info line per answered
// request cost ~10% of its CPU (bench/, --cpu-prof: pino-http onResFinished, redact,
// writeString). Its successes log at debug; its failures, and every other route, still log at
// info or error.
const HOT_PUBLIC_PATH = /^\/(?:token\/access(?:\/[^/?]*)?|(?!token\/)[^/]+\/refresh)(?:\?|$)/;

/** pino-http's level for one answered request. */
export function requestLogLevel(
  req: Pick<IncomingMessage, 'url'>,
  res: Pick<ServerResponse, 'statusCode'>,
  error?: Error,
): 'error' | 'info' | 'debug' {
  if (error || res.statusCode >= 500) return 'error';
  if (res.statusCode < 400 && HOT_PUBLIC_PATH.test(req.url ?? '')) return 'debug';
  return 'info';
}

import type { Route } from './route';

/**
 * pino-http's level for one answered request. Token issuance (routes declared `hot`) is most of
 * the traffic: one info line per answer cost ~10% of its CPU (bench/, --cpu-prof), so its
 * successes log at debug; its failures, and every other route, log at info or error.
 */
export function requestLogLevel(route: Route | undefined, status: number, error?: Error): 'error' | 'info' | 'debug' {
  if (error || status >= 500) return 'error';
  if (status < 400 && route?.hot) return 'debug';
  return 'info';
}

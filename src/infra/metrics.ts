import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LoginLimiter } from './login-limiter';

/**
 * One registry per app (never prom-client's global one), so that several apps in one process,
 * as in the tests, keep their own counts.
 */
export function createMetrics(limiter: Pick<LoginLimiter, 'store'>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'jawth_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'jawth_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    logins: new Counter({
      name: 'jawth_login_attempts_total',
      help: 'Credential attempts (login, refresh, admin login) by action and outcome',
      labelNames: ['action', 'outcome'] as const,
      registers: [registry],
    }),
    tokensIssued: new Counter({
      name: 'jawth_tokens_issued_total',
      help: 'Tokens issued by kind (access, refresh, admin_session)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'jawth_rate_limit_rejections_total',
      help: 'Attempts refused with 429 by the brute-force limiter, by action',
      labelNames: ['action'] as const,
      registers: [registry],
    }),
    limiterFallback: new Gauge({
      name: 'jawth_rate_limit_store_fallback',
      help: '1 while Redis does not answer and the brute-force counters live in this process memory',
      registers: [registry],
      collect() {
        this.set(limiter.store() === 'fallback' ? 1 : 0);
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

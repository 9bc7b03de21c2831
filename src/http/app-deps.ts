import type { Deps } from '../services/deps';
import type { LoginLimiter } from '../services/login-limiter';
import type { Metrics } from '../services/metrics';

/** What the HTTP layer holds besides the services' deps: the brute-force limiter and the metrics. */
export interface AppDeps extends Deps {
  limiter: LoginLimiter;
  metrics: Metrics;
}

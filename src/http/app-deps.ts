import type { Deps } from '../services/deps';
import type { RefusalAudit } from '../infra/audit-refusals';
import type { LoginLimiter } from '../infra/login-limiter';
import type { Metrics } from '../infra/metrics';

/** What the HTTP layer holds besides the services' deps: the brute-force limiter, its audit summary and the metrics. */
export interface AppDeps extends Deps {
  limiter: LoginLimiter;
  refusals: RefusalAudit;
  metrics: Metrics;
}

import type { Deps } from '../services/deps';
import type { RefusalAudit } from '../services/audit-refusals.service';
import type { LoginLimiter } from '../infra/login-limiter';
import type { Metrics } from '../infra/metrics';
import type { BackgroundTasks } from '../infra/background';
import type { PasswordAdmission } from '../infra/password-admission';

/**
 * What the HTTP layer holds besides the services' deps: the brute-force limiter, its audit
 * summary, the admission of password checks, the metrics, and the work done after an answer
 * (account mails).
 */
export interface AppDeps extends Deps {
  limiter: LoginLimiter;
  background: BackgroundTasks;
  refusals: RefusalAudit;
  admission: PasswordAdmission;
  metrics: Metrics;
}

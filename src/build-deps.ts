import type { AppDeps } from './http/app-deps';
import type { Config } from './config/config';
import { createRefusalAudit } from './services/audit-refusals.service';
import { BackgroundTasks } from './infra/background';
import { createLoginLimiter, type LimiterOptions, type LoginLimiter } from './infra/login-limiter';
import { createMetrics } from './infra/metrics';
import { createPasswordAdmission } from './infra/password-admission';
import { closeStore, type Deps } from './services/deps';
import { openDeps, type OpenOptions } from './services/open-deps';

export interface DepsOverrides extends OpenOptions {
  /** A limiter of the caller's (else one is made from the configuration, on the deps' clock). */
  limiter?: LoginLimiter;
  limiterOptions?: LimiterOptions;
  /** The work done after an answer (a test passes its own to wait for it). */
  background?: BackgroundTasks;
}

/**
 * Everything a serving jawth holds, built once, for the server and the tests alike: the
 * services' deps (src/services/open-deps.ts), then the brute-force limiter, its refusal audit,
 * the admission of password checks, the metrics and the background tasks. `createApp` receives
 * them finished. `closeDeps` closes what this made.
 */
export async function buildDeps(config: Config, overrides: DepsOverrides = {}): Promise<AppDeps> {
  return instanceDeps(await openDeps(config, overrides), overrides);
}

/**
 * One serving instance's part over services' deps already open: its own limiter, audit summary,
 * admission and metrics. Tests make a second instance on the same database with it.
 */
export function instanceDeps(deps: Deps, overrides: Omit<DepsOverrides, keyof OpenOptions> = {}): AppDeps {
  const limiter =
    overrides.limiter ?? createLoginLimiter(deps.config, deps.logger, deps.clock, overrides.limiterOptions);
  return {
    ...deps,
    limiter,
    background: overrides.background ?? new BackgroundTasks(deps.logger),
    refusals: createRefusalAudit(deps),
    admission: createPasswordAdmission(deps.config.loginQueueMax),
    metrics: createMetrics(limiter),
  };
}

/** Closes the limiter (its Redis connection) and the store. */
export async function closeDeps(deps: AppDeps): Promise<void> {
  await Promise.allSettled([deps.limiter.close(), closeStore(deps)]);
}

/**
 * What time it is, passed in (`deps.clock`): the services, the brute-force counters and the caches
 * all read it, so that a test moves time forward by hand and sees a lockout or a cache entry end.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

import Redis from 'ioredis';
import type { Logger } from 'pino';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Config } from '../config/config';

/** Who is trying: the application, the username when the request names one, and the source IP. */
export interface AttemptKey {
  app: string;
  username?: string;
  ip: string;
}

/** Refused: `retryAfter` seconds until the caller may try again. */
export class LimitExceeded extends Error {
  constructor(readonly retryAfter: number) {
    super('too many failed attempts');
  }
}

export interface LoginLimiter {
  /** Checks every counter before the password is: throws LimitExceeded when one is spent. */
  reserve(key: AttemptKey): Promise<Reservation>;
  /** Resolves when the shared store answers (at once without Redis), or false after `ms`. */
  ready(ms?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface Reservation {
  /** The attempt succeeded: the triple's consecutive failures start again. */
  succeeded(): Promise<void>;
  /**
   * The credentials were wrong: one failure on every counter, in one atomic step each. Throws
   * LimitExceeded when this failure is beyond a limit, so that the caller answers 429, not 401.
   */
  failed(): Promise<void>;
}

const HOUR = 3600;

interface Limiters {
  triple: RateLimiterAbstract;
  ip: RateLimiterAbstract;
  account: RateLimiterAbstract;
}

/**
 * §4.5 with rate-limiter-flexible. Counters are checked before the password and a failure is
 * counted after it, with consume, one atomic store operation: of 50 parallel wrong passwords,
 * only as many as the limit allows are answered 401 and the others 429, while correct logins in
 * flight never count against anyone. The triple's last allowed failure locks it for LOGIN_LOCKOUT.
 * With REDIS_URL the counters live in Redis, shared by every instance; when Redis cannot be
 * reached, each limiter falls back to an in-memory insurance limiter of this process (logins
 * keep working and stay limited per instance), with a warning, until Redis answers again.
 */
export function createLoginLimiter(config: Config, logger: Logger, options: { keyPrefix?: string } = {}): LoginLimiter {
  const prefix = options.keyPrefix ?? 'jawth';
  const specs: Record<keyof Limiters, IRateLimiterOptions> = {
    triple: { points: config.loginMaxFailures, duration: config.loginLockout, blockDuration: config.loginLockout },
    ip: { points: config.loginMaxFailuresPerIp, duration: HOUR },
    account: { points: config.loginMaxFailures * 10, duration: HOUR },
  };
  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;
  const make = (name: keyof Limiters): RateLimiterAbstract => {
    const opts = { ...specs[name], keyPrefix: `${prefix}:login:${name}` };
    if (!redis) return new RateLimiterMemory(opts);
    return new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) });
  };
  const limiters: Limiters = { triple: make('triple'), ip: make('ip'), account: make('account') };

  return {
    async reserve(key) {
      const counters = (
        [
          [limiters.triple, key.username === undefined ? undefined : JSON.stringify([key.app, key.username, key.ip])],
          [limiters.ip, key.ip],
          [limiters.account, key.username === undefined ? undefined : JSON.stringify([key.app, key.username])],
        ] as [RateLimiterAbstract, string | undefined][]
      ).filter((counter): counter is [RateLimiterAbstract, string] => counter[1] !== undefined);
      for (const [limiter, id] of counters) {
        const state = await limiter.get(id).catch((error: unknown) => Promise.reject(refusal(error)));
        if (state && state.consumedPoints >= limiter.points) throw refusal(state);
      }
      return {
        async succeeded() {
          const triple = counters.find(([limiter]) => limiter === limiters.triple);
          if (triple) await triple[0].delete(triple[1]);
        },
        async failed() {
          for (const [limiter, id] of counters) {
            const state = await limiter.consume(id).catch((error: unknown) => Promise.reject(refusal(error)));
            if (limiter === limiters.triple && state.consumedPoints >= limiter.points) {
              await limiter.block(id, config.loginLockout);
            }
          }
        },
      };
    },
    async ready(ms = 3000) {
      if (!redis || redis.status === 'ready') return true;
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    async close() {
      if (!redis) return;
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect(); // also stops the reconnection timer
    },
  };
}

/** A RateLimiterRes is a limit; anything else is a store failure the insurance could not absorb. */
function refusal(error: unknown): Error {
  if (error instanceof RateLimiterRes) return new LimitExceeded(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
  return error instanceof Error ? error : new Error(String(error));
}

/** No offline queue: while Redis is away a command fails at once and the insurance limiter answers. */
function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  let healthy = true;
  redis.on('error', (error: Error) => {
    if (!healthy) return;
    healthy = false;
    logger.warn(
      { err: { message: error.message } },
      'Redis unreachable: login rate limits fall back to this process memory until it answers',
    );
  });
  redis.on('ready', () => {
    if (!healthy) logger.info('Redis reachable again: login rate limits are shared again');
    healthy = true;
  });
  return redis;
}

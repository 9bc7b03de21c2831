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
  /** Reserves one failure on every counter before the password is checked; throws LimitExceeded. */
  reserve(key: AttemptKey): Promise<Reservation>;
  /** Resolves when the shared store answers (at once without Redis), or false after `ms`. */
  ready(ms?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface Reservation {
  /** The attempt succeeded: the triple's consecutive failures start again, the ceilings give the point back. */
  succeeded(): Promise<void>;
  /** The attempt was not about credentials (bad request, server error): every point goes back. */
  released(): Promise<void>;
}

const HOUR = 3600;

interface Limiters {
  triple: RateLimiterAbstract;
  ip: RateLimiterAbstract;
  account: RateLimiterAbstract;
}

/**
 * §4.5 with rate-limiter-flexible. A failure is counted *before* the password is checked
 * (reserve) and given back on success: consume is one atomic store operation, so 50 parallel
 * wrong passwords cannot all pass a check made before any of them has failed.
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
      const taken: [RateLimiterAbstract, string][] = [];
      const keys: [RateLimiterAbstract, string | undefined][] = [
        [limiters.triple, key.username === undefined ? undefined : JSON.stringify([key.app, key.username, key.ip])],
        [limiters.ip, key.ip],
        [limiters.account, key.username === undefined ? undefined : JSON.stringify([key.app, key.username])],
      ];
      for (const [limiter, id] of keys) {
        if (id === undefined) continue;
        try {
          await limiter.consume(id);
          taken.push([limiter, id]);
        } catch (error) {
          await Promise.all(taken.map(([l, k]) => l.reward(k)));
          throw refusal(error);
        }
      }
      return {
        async succeeded() {
          await Promise.all(taken.map(([l, k]) => (l === limiters.triple ? l.delete(k) : l.reward(k))));
        },
        async released() {
          await Promise.all(taken.map(([l, k]) => l.reward(k)));
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

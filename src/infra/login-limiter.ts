import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config/config';
import type { Clock } from './clock';
import { ClockedMemoryCounters, type Counters } from './clocked-counters';
import { limitedAddress } from './ip-prefix';

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
  /**
   * Reserves one attempt on every counter before the password is checked; throws LimitExceeded
   * when the failures already counted leave no room. Waits (bounded) while attempts in flight
   * hold the last places, since each of them may yet succeed and give its place back.
   */
  reserve(key: AttemptKey): Promise<Reservation>;
  /**
   * Takes one of `points` uses per `duration` seconds of the quota `name` for `id`, in the same
   * store as the counters (so every instance agrees); false when none is left. Recovery mails per
   * user (docs/api.md, Brute-force protection).
   */
  takeQuota(name: string, id: string, points: number, duration: number): Promise<boolean>;
  /** Resolves when the shared store answers (at once without Redis), or false after `ms`. */
  ready(ms?: number): Promise<boolean>;
  /** 'memory' (no REDIS_URL), 'redis', or 'fallback' while Redis does not answer. */
  store(): 'memory' | 'redis' | 'fallback';
  close(): Promise<void>;
}

export interface Reservation {
  /** The credentials were right: every place is given back and the triple's failures reset. */
  succeeded(): Promise<void>;
  /**
   * The credentials were wrong: the places stay taken as failures; the triple's last one locks
   * it. True when this very failure locked the (application, username, IP) out.
   */
  failed(): Promise<boolean>;
  /** The password was never judged (a 400, a 500): every place is given back. */
  released(): Promise<void>;
}

const HOUR = 3600;
/** How long an attempt may wait for attempts in flight to give their places back. */
const QUEUE_WAIT_MS = 10_000;
/** Seconds a place in flight is kept at most (a password check takes well under one). */
const PLACE_TTL = 60;
/** A Redis command that has not answered by then counts as an outage (falls back to memory: docs/api.md, Brute-force protection). */
const REDIS_COMMAND_TIMEOUT_MS = 200;
/** ioredis drops a command left unanswered this long, so a frozen Redis cannot pile them up. */
const REDIS_DROP_MS = 5000;
/** During an outage, how often one request tries Redis again. */
const REDIS_RETRY_MS = 2000;

/**
 * One limit (docs/api.md, Brute-force protection) as two counters: `failures` in the limit's window, and `places`, the attempts
 * in flight, taken atomically before a password is checked. An attempt goes ahead only while
 * in flight + failures stay within the limit. A failure is counted before its place is given
 * back, so every attempt sees each earlier one in one counter or the other: a burst of any
 * size gets at most `points` password checks, and correct logins sent at once all succeed,
 * some after a short wait. Places expire after PLACE_TTL, so a process that dies mid-check
 * cannot hold one for long. The price of that expiry: when a window of places ends while
 * attempts are in flight, their hand-backs land in the next window, which then admits as many
 * extra attempts once (a sliding expiry would need a Lua script of our own).
 */
class Counter {
  constructor(
    readonly points: number,
    private readonly places: Guarded,
    private readonly failures: Guarded,
    private readonly lockout?: number,
  ) {}

  /** 'taken': the place is ours; 'wait': attempts in flight hold the rest; throws when failures fill it. */
  async tryReserve(id: string): Promise<'taken' | 'wait'> {
    let inFlight: number;
    try {
      inFlight = (await this.places.run((l) => l.consume(id))).consumedPoints;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      inFlight = error.consumedPoints;
    }
    const failed = await this.failures.run((l) => l.get(id));
    const failures = failed?.consumedPoints ?? 0;
    if (failures < this.points && inFlight + failures <= this.points) return 'taken';
    await this.giveBack(id);
    if (failed && failures >= this.points) throw exceeded(failed.msBeforeNext);
    return 'wait';
  }

  giveBack(id: string): Promise<unknown> {
    return this.places.run((l) => l.reward(id));
  }

  /**
   * Counts the failure, then gives the place back; the triple's last allowed failure locks it.
   * True for the one failure that reached the limit (of concurrent ones, one counts it).
   */
  async fail(id: string): Promise<boolean> {
    const failed = await this.failures.run((l) => l.penalty(id));
    if (this.lockout && failed.consumedPoints >= this.points) {
      await this.failures.run((l) => l.block(id, this.lockout as number));
    }
    await this.giveBack(id);
    return this.lockout !== undefined && failed.consumedPoints === this.points;
  }

  /** An attempt another limit refused still failed from here (the IP's ceiling counts it). */
  countRefused(id: string): Promise<unknown> {
    return this.failures.run((l) => l.penalty(id));
  }

  /** A success on the triple: the consecutive failures start again. */
  reset(id: string): Promise<unknown> {
    return this.failures.run((l) => l.delete(id));
  }
}

export interface LimiterOptions {
  /** Redis keys start with it (default `jawth`): test files sharing one Redis never share counters. */
  keyPrefix?: string;
  commandTimeoutMs?: number;
}

/**
 * The brute-force limits (docs/api.md, Brute-force protection) with rate-limiter-flexible. Each of the three limits (application + username + IP,
 * application + username, IP) is a Counter; an attempt takes a place on each before its password
 * is checked. With REDIS_URL the counters live in Redis and every instance shares them; a Redis
 * that fails or does not answer within `commandTimeoutMs` (default REDIS_COMMAND_TIMEOUT_MS) is
 * replaced by this process's memory (logins keep working, limited per instance) with one
 * warning per outage, until it answers again.
 *
 * Time is `clock`'s: the in-memory counters (and the stand-in during an outage) and the Redis
 * retry follow it; the queue's wait for places in flight is bounded in real time. Counters in Redis expire by Redis's own clock
 * (rate-limiter-flexible sets their TTL there), which a fake clock cannot move.
 */
export function createLoginLimiter(
  config: Config,
  logger: Logger,
  clock: Clock,
  options: LimiterOptions = {},
): LoginLimiter {
  const prefix = options.keyPrefix ?? 'jawth';
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  const commandTimeoutMs = options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
  const health = new StoreHealth(logger, clock);
  const guarded = (keyPrefix: string, points: number, duration: number): Guarded => {
    const memory = new ClockedMemoryCounters(points, duration, clock);
    const shared = redis && new RateLimiterRedis({ points, duration, keyPrefix, storeClient: redis });
    return new Guarded(memory, shared, health, commandTimeoutMs);
  };
  const counter = (name: string, points: number, duration: number, lockout?: number) =>
    new Counter(
      points,
      guarded(`${prefix}:login:${name}:places`, points, PLACE_TTL),
      guarded(`${prefix}:login:${name}:failures`, points, duration),
      lockout,
    );
  const triple = counter('triple', config.loginMaxFailures, config.loginLockout, config.loginLockout);
  const account = counter('account', config.loginMaxFailures * 10, HOUR);
  const ip = counter('ip', config.loginMaxFailuresPerIp, HOUR);
  const quotas = new Map<string, Guarded>();

  return {
    async reserve(key) {
      const source = limitedAddress(key.ip, config.rateLimitIpv6Prefix);
      const held: [Counter, string][] = [[ip, source]];
      if (key.username !== undefined) {
        held.push([triple, JSON.stringify([key.app, key.username, source])]);
        held.push([account, JSON.stringify([key.app, key.username])]);
      }
      const giveBack = (ids: [Counter, string][]) => Promise.all(ids.map(([c, id]) => c.giveBack(id)));
      // A bound on this request's real wait (its pauses are real timers), not on the clock's time:
      // under a clock that stands still (a test's), it must still end.
      const deadline = Date.now() + QUEUE_WAIT_MS;
      for (let pause = 10; ; pause = Math.min(pause * 2, 100)) {
        const tries = await Promise.allSettled(held.map(([c, id]) => c.tryReserve(id)));
        const taken = held.filter((_, i) => tries[i].status === 'fulfilled' && tries[i].value === 'taken');
        if (taken.length === held.length) break;
        await giveBack(taken);
        const refused = tries.findIndex((t) => t.status === 'rejected');
        if (refused >= 0) {
          // Hammering a locked account is still guessing from this IP: it counts on the IP's ceiling.
          if (refused > 0) await ip.countRefused(source);
          throw (tries[refused] as PromiseRejectedResult).reason;
        }
        if (Date.now() > deadline) throw new LimitExceeded(1);
        await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
      }
      return {
        async succeeded() {
          await giveBack(held);
          if (key.username !== undefined) await triple.reset(held[1][1]);
        },
        async failed() {
          const locked = await Promise.all(held.map(([c, id]) => c.fail(id)));
          return locked.some(Boolean);
        },
        async released() {
          await giveBack(held);
        },
      };
    },
    async takeQuota(name, id, points, duration) {
      const key = `${name}:${points}:${duration}`;
      const quota = quotas.get(key) ?? guarded(`${prefix}:quota:${name}`, points, duration);
      quotas.set(key, quota);
      try {
        await quota.run((l) => l.consume(id));
        return true;
      } catch (error) {
        if (error instanceof RateLimiterRes) return false;
        throw error;
      }
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
    store() {
      if (!redis) return 'memory';
      return health.down ? 'fallback' : 'redis';
    },
    async close() {
      if (!redis) return;
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect(); // also stops the reconnection timer
    },
  };
}

function exceeded(msBeforeNext: number): LimitExceeded {
  return new LimitExceeded(Math.max(1, Math.ceil(msBeforeNext / 1000)));
}

/** Whether Redis answers: one warning when an outage starts, one line when it ends. */
class StoreHealth {
  down = false;
  private retryAt = 0;
  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  useShared(): boolean {
    return !this.down || this.clock.now().getTime() >= this.retryAt;
  }

  failed(error: unknown): void {
    this.retryAt = this.clock.now().getTime() + REDIS_RETRY_MS;
    if (this.down) return;
    this.down = true;
    this.logger.warn(
      { err: { message: error instanceof Error ? error.message : String(error) } },
      'Redis unreachable: login rate limits fall back to this process memory until it answers',
    );
  }

  answered(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info('Redis reachable again: login rate limits are shared again');
  }
}

/**
 * One limiter on Redis with an in-memory stand-in. A RateLimiterRes rejection is a limit and
 * passes through; any other failure (refused, timed out) is an outage: this call and the next
 * ones, until a retry every REDIS_RETRY_MS succeeds, run on memory.
 */
class Guarded {
  constructor(
    private readonly memory: Counters,
    private readonly shared: Counters | undefined,
    private readonly health: StoreHealth,
    private readonly timeoutMs: number,
  ) {}

  async run<T>(operation: (limiter: Counters) => Promise<T>): Promise<T> {
    if (!this.shared || !this.health.useShared()) return operation(this.memory);
    try {
      const result = await withDeadline(operation(this.shared), this.timeoutMs);
      this.health.answered();
      return result;
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        this.health.answered();
        throw error;
      }
      this.health.failed(error);
      return operation(this.memory);
    }
  }
}

/**
 * `work`, or a rejection when it has not settled `ms` after it started. When the timer fires,
 * the check waits for the event loop's next I/O phase (setImmediate): a reply that arrived while
 * this process was busy elsewhere is read first, so a slow event loop is not taken for a frozen
 * Redis.
 */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    const timer = setTimeout(() => {
      setImmediate(() => settle(() => reject(new Error(`Redis did not answer within ${ms} ms`))));
    }, ms);
    work.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

/**
 * No offline queue: while Redis is away a command fails at once. A frozen Redis is noticed by
 * Guarded's deadline; ioredis's own command timeout only drops what is left pending.
 */
function connectRedis(url: string): Redis {
  // Loaded only with REDIS_URL: ~4 MB of an idle server's memory otherwise (bench/README.md, idle).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: RedisClient } = require('ioredis') as typeof import('ioredis');
  const redis = new RedisClient(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: REDIS_DROP_MS,
  });
  redis.on('error', () => {}); // outages are reported once, by StoreHealth, when a command fails
  return redis;
}

import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from './clock';

/** The operations of a rate-limiter-flexible limiter the login counters use. */
export interface Counters {
  consume(id: string): Promise<RateLimiterRes>;
  get(id: string): Promise<RateLimiterRes | null>;
  penalty(id: string): Promise<RateLimiterRes>;
  reward(id: string): Promise<RateLimiterRes>;
  block(id: string, seconds: number): Promise<RateLimiterRes>;
  delete(id: string): Promise<boolean>;
}

/** Writes between two sweeps of expired entries: memory stays bounded by the live keys. */
const SWEEP_EVERY = 1000;

/**
 * In-memory counters with the semantics of rate-limiter-flexible's RateLimiterMemory (a count per
 * key and window, the window opened by its first point; `consume` rejects past `points`), whose
 * windows end by `clock` rather than by timers and `Date.now()`: with a fake clock a test sees a
 * lockout end. Expired entries are ignored when read and swept every SWEEP_EVERY writes.
 */
export class ClockedMemoryCounters implements Counters {
  private readonly entries = new Map<string, { value: number; expiresAt: number }>();
  private writes = 0;

  constructor(
    private readonly points: number,
    private readonly duration: number,
    private readonly clock: Clock,
  ) {}

  async consume(id: string): Promise<RateLimiterRes> {
    const res = this.add(id, 1, this.duration);
    if (res.consumedPoints > this.points) throw res;
    return res;
  }

  async get(id: string): Promise<RateLimiterRes | null> {
    const now = this.clock.now().getTime();
    const entry = this.live(id, now);
    return entry ? this.result(entry, now, false) : null;
  }

  async penalty(id: string): Promise<RateLimiterRes> {
    return this.add(id, 1, this.duration);
  }

  async reward(id: string): Promise<RateLimiterRes> {
    return this.add(id, -1, this.duration);
  }

  /** Holds the key full (points + 1) for `seconds`, as RateLimiterMemory.block does. */
  async block(id: string, seconds: number): Promise<RateLimiterRes> {
    return this.set(id, this.points + 1, seconds, this.clock.now().getTime());
  }

  async delete(id: string): Promise<boolean> {
    return this.entries.delete(id);
  }

  private add(id: string, points: number, seconds: number): RateLimiterRes {
    const now = this.clock.now().getTime();
    const entry = this.live(id, now);
    if (!entry) return this.set(id, points, seconds, now);
    entry.value += points;
    return this.result(entry, now, false);
  }

  private set(id: string, value: number, seconds: number, now: number): RateLimiterRes {
    if (++this.writes % SWEEP_EVERY === 0) this.sweep(now);
    const entry = { value, expiresAt: now + seconds * 1000 };
    this.entries.set(id, entry);
    return this.result(entry, now, true);
  }

  private live(id: string, now: number) {
    const entry = this.entries.get(id);
    return entry && entry.expiresAt > now ? entry : undefined;
  }

  private result(entry: { value: number; expiresAt: number }, now: number, first: boolean): RateLimiterRes {
    return new RateLimiterRes(Math.max(this.points - entry.value, 0), entry.expiresAt - now, entry.value, first);
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }
}

import type { Clock } from './clock';

/**
 * Totals for X-Total-Count of user lists. Counting 100,000 users is an index scan on every page
 * (~4 ms on SQLite, ~8-20 ms on PostgreSQL, bench/); a page read within TTL_MS of the last count
 * reuses it. Users created or deleted through this process clear every total at once; changes
 * made by another instance show within TTL_MS, as with the application cache. One per database.
 */
const TTL_MS = 5_000;
const LIMIT = 10_000;

export class UserCountCache {
  private readonly entries = new Map<string, { count: number; expires: number }>();
  private generation = 0;

  constructor(private readonly clock: Clock) {}

  async get(key: string, count: () => Promise<number>): Promise<number> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.count;
    const generation = this.generation;
    const value = await count();
    // A user created or deleted while counting makes this count stale: do not keep it.
    if (generation === this.generation) {
      if (this.entries.size >= LIMIT) this.entries.clear();
      this.entries.set(key, { count: value, expires: now + TTL_MS });
    }
    return value;
  }

  forget(): void {
    this.generation++;
    this.entries.clear();
  }
}

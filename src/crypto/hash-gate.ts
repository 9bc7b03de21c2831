/**
 * bcrypt runs on libuv's thread pool, which the SQLite driver (and fs, dns) use too. This gate
 * lets at most `UV_THREADPOOL_SIZE - 1` bcrypt calls run at once and queues the rest in arrival
 * order, so that a flood of password checks always leaves a thread to the database: a login's own
 * write never waits behind every queued hash (docs/api.md, Brute-force protection).
 */
const POOL_SIZE = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;
export const HASH_THREADS = Math.max(1, POOL_SIZE - 1);

let running = 0;
const waiting: (() => void)[] = [];

/** Runs `work` when a hashing thread is free, first come first served. */
export async function onHashThread<T>(work: () => Promise<T>): Promise<T> {
  if (running >= HASH_THREADS) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    // The place passes straight to the next in line, so `running` counts it without a gap.
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

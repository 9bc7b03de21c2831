'use strict';
// Load generation (autocannon's programmatic API) and the bcrypt ceiling.
const autocannon = require('autocannon');
const bcrypt = require('bcrypt');

/**
 * Runs autocannon for `seconds` after `warmup` seconds of the same load, and returns
 * { rps, p50_ms, p99_ms, errors }: rps counts 2xx answers only.
 */
async function measure(options, { seconds, warmup }) {
  if (warmup > 0) await autocannon({ ...options, duration: warmup });
  const result = await autocannon({ ...options, duration: seconds });
  const ok = result['2xx'];
  return {
    rps: Math.round((ok / seconds) * 10) / 10,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    ok,
    seconds,
  };
}

/**
 * Measures two loads in alternating slices (A B A B ...), so that a machine whose other work
 * comes and goes (this one is shared) weighs on both sides alike. Per side: rps over all slices,
 * the mean of the slices' p50, the worst p99.
 */
async function alternate(runA, runB, rounds) {
  const slices = [[], []];
  for (let i = 0; i < rounds; i++) {
    slices[0].push(await runA());
    slices[1].push(await runB());
  }
  return slices.map((list) => {
    const ok = list.reduce((sum, r) => sum + r.ok, 0);
    const seconds = list.reduce((sum, r) => sum + r.seconds, 0);
    return {
      rps: Math.round((ok / seconds) * 10) / 10,
      p50_ms: Math.round((list.reduce((sum, r) => sum + r.p50_ms, 0) / list.length) * 10) / 10,
      p99_ms: Math.max(...list.map((r) => r.p99_ms)),
      errors: list.reduce((sum, r) => sum + r.errors, 0),
      ok,
      seconds,
    };
  });
}

/**
 * bcrypt compares per second on all cores at this cost, with the same library on libuv's thread
 * pool (UV_THREADPOOL_SIZE, as the server gets it): enough compares in flight to keep it busy.
 */
async function bcryptCeiling(cost, seconds) {
  const hash = await bcrypt.hash('bench-ceiling-password', cost);
  const inFlight = 2 * Number(process.env.UV_THREADPOOL_SIZE || 4);
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  let done = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      await bcrypt.compare('bench-ceiling-password', hash);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = (Date.now() - started) / 1000;
  return { rps: Math.round((done / elapsed) * 10) / 10, ok: done, seconds: elapsed, p50_ms: 0, p99_ms: 0, errors: 0 };
}

module.exports = { measure, alternate, bcryptCeiling };

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
  };
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
  return Math.round((done / ((Date.now() - started) / 1000)) * 10) / 10;
}

module.exports = { measure, bcryptCeiling };

'use strict';
// A closed loop of slow operations (a login, a bcrypt comparison) measured without the biases
// of counting whole answers in a short window.

const tenth = (n) => (n === null ? null : Math.round(n * 10) / 10);
const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : null;

/**
 * Keeps `inFlight` calls of `operation` going for `warmup + seconds` and lets the last ones finish.
 * Each call counts for the share of its duration that falls in the measured window (the last
 * `seconds`): at one answer a second, counting whole answers would depend on where the window
 * cuts the calls (four bcrypt threads finish together, so a 3 s window holds 8 or 12 of them by
 * chance), and a fresh loop has no answer during its first call. Returns
 * { rps, p50_ms, p99_ms, errors, causes, ok, seconds }; p50 and p99 are of the calls that ended in the
 * window; errors counts every call that threw or answered non-2xx, warm-up included, and
 * `causes` counts them by status or error code. `operation` resolves to true for a 2xx answer,
 * else to the status.
 */
async function closedLoop(operation, inFlight, { seconds, warmup }) {
  const from = Date.now() + warmup * 1000;
  const to = from + seconds * 1000;
  let work = 0;
  let errors = 0;
  const causes = {};
  const latencies = [];
  const worker = async () => {
    while (Date.now() < to) {
      const start = Date.now();
      let outcome;
      try {
        outcome = await operation();
      } catch (error) {
        outcome = error.code || error.message;
      }
      const end = Date.now();
      if (outcome !== true) {
        errors++;
        causes[outcome] = (causes[outcome] ?? 0) + 1;
        continue;
      }
      const overlap = Math.min(end, to) - Math.max(start, from);
      if (overlap > 0) work += end > start ? overlap / (end - start) : 1;
      if (end >= from && end <= to) latencies.push(end - start);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  latencies.sort((a, b) => a - b);
  return {
    rps: tenth(work / seconds),
    p50_ms: tenth(percentile(latencies, 0.5)),
    p99_ms: tenth(percentile(latencies, 0.99)),
    errors,
    causes,
    ok: Math.round(work),
    seconds,
  };
}

module.exports = { closedLoop };

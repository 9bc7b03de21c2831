'use strict';
// Load generation (autocannon's programmatic API) and the alternation of a ceiling with its subject.
const autocannon = require('autocannon');

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : null;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const tenth = (n) => (n === null ? null : Math.round(n * 10) / 10);

/**
 * One autocannon run of `warmup + seconds`; only the answers that arrive in the last `seconds`
 * are counted, so the connections are already busy when the count starts (a fresh run has no
 * answer for one latency, which at login's ~1 s would cost a 3 s slice a third of its rate).
 * Returns { rps, p50_ms, p99_ms, errors, ok, seconds }: rps counts 2xx answers only; errors
 * counts every non-2xx answer, connection error and timeout of the whole run, warm-up included,
 * and `causes` counts them by status (or `errors`, `timeouts`).
 */
function measure(options, { seconds, warmup }) {
  return new Promise((resolve, reject) => {
    const from = Date.now() + warmup * 1000;
    const latencies = [];
    const causes = {};
    let ok = 0;
    const tracker = autocannon({ ...options, duration: warmup + seconds }, (error, result) => {
      if (error) return reject(error);
      latencies.sort((a, b) => a - b);
      return resolve({
        rps: tenth(ok / seconds),
        p50_ms: tenth(percentile(latencies, 0.5)),
        p99_ms: tenth(percentile(latencies, 0.99)),
        errors: result.non2xx + result.errors + result.timeouts,
        causes: {
          ...causes,
          ...(result.errors ? { errors: result.errors } : {}),
          ...(result.timeouts ? { timeouts: result.timeouts } : {}),
        },
        ok,
        seconds,
      });
    });
    tracker.on('response', (_client, status, _bytes, responseTime) => {
      if (status < 200 || status > 299) causes[status] = (causes[status] ?? 0) + 1;
      if (Date.now() < from || status < 200 || status > 299) return;
      ok++;
      latencies.push(responseTime);
    });
  });
}

/**
 * Runs `run()` (one slice) and adds `cpu_ms`: the CPU time the measured server (`server.cpu()`,
 * its workers included) spent per 2xx answer during the slice. Unlike a rate, it hardly moves
 * when other work on the machine takes CPU away from the server.
 */
async function withCpu(server, run) {
  const cpu = server.cpu();
  const started = Date.now();
  const result = await run();
  const answers = result.rps * ((Date.now() - started) / 1000);
  return { ...result, cpu_ms: answers > 0 ? (server.cpu() - cpu) / answers : null };
}

/**
 * Measures a ceiling and its subject in alternating slices (A B A B ...), so that a machine whose
 * other work comes and goes (this one is shared) weighs on both sides alike, and pairs each
 * subject slice with the ceiling slice just before it. Returns { ceiling, subject, ratio }:
 * per side the median slice's rps and p50, the worst p99, the errors summed; the ratio is the
 * median of the per-pair ratios with their min and max, or null when either side had an error.
 * With `cpu_ms` on both sides (withCpu), `cpu_ratio` is the median of ceiling CPU per answer over
 * subject CPU per answer: the same ratio measured as efficiency rather than rate.
 * `before(i)` runs ahead of each subject slice, outside the timing (the refresh queue's top-up).
 */
async function alternate(runCeiling, runSubject, rounds, before = async () => {}) {
  const pairs = [];
  for (let i = 0; i < rounds; i++) {
    const ceiling = await runCeiling();
    await before(i);
    const subject = await runSubject();
    pairs.push({ ceiling, subject });
  }
  const side = (key) => {
    const list = pairs.map((pair) => pair[key]);
    return {
      rps: tenth(median(list.map((r) => r.rps))),
      p50_ms: tenth(median(list.map((r) => r.p50_ms ?? 0))),
      p99_ms: Math.max(...list.map((r) => r.p99_ms ?? 0)),
      errors: list.reduce((sum, r) => sum + r.errors, 0),
      causes: list.reduce((all, r) => {
        for (const [cause, n] of Object.entries(r.causes ?? {})) all[cause] = (all[cause] ?? 0) + n;
        return all;
      }, {}),
      slices: list.map((r) => r.rps),
    };
  };
  const ceiling = side('ceiling');
  const subject = side('subject');
  const ratios = pairs.map(({ ceiling: c, subject: s }) => (c.rps > 0 ? s.rps / c.rps : 0));
  const clean = ceiling.errors === 0 && subject.errors === 0;
  const hundredth = (n) => Math.round(n * 100) / 100;
  const ratio = clean
    ? { median: hundredth(median(ratios)), min: hundredth(Math.min(...ratios)), max: hundredth(Math.max(...ratios)) }
    : null;
  const cpuRatios = pairs
    .filter(({ ceiling: c, subject: s }) => c.cpu_ms > 0 && s.cpu_ms > 0)
    .map(({ ceiling: c, subject: s }) => c.cpu_ms / s.cpu_ms);
  const cpuRatio = clean && cpuRatios.length === pairs.length ? hundredth(median(cpuRatios)) : null;
  const cpuMs = (key) => (cpuRatio === null ? null : hundredth(median(pairs.map((pair) => pair[key].cpu_ms))));
  return {
    ceiling: { ...ceiling, cpu_ms: cpuMs('ceiling') },
    subject: { ...subject, cpu_ms: cpuMs('subject') },
    ratio,
    cpuRatio,
  };
}

module.exports = { measure, withCpu, alternate, median };

'use strict';
// The table's rows: a ratio against a ceiling, or a figure with a target of its own; each with
// its target (issue 13) and whether it is met.

// The targets of issue 13, one per row kind.
const TARGETS = { login: 0.9, access: 0.5, refresh: 0.2, verify: 0.8 };
const LIST_P50_MS = 20;
const LIST_P99_MS = 50;
const IDLE_MAX_MB = 100;
const SOAK_MAX_GROWTH = 10;

/** A row measured against a ceiling: the median ratio of the pairs, its spread, ✓ or ✗. */
function ratioRow(scenario, db, workers, pair, rss) {
  const target = TARGETS[scenario];
  const errors = pair.ceiling.errors + pair.subject.errors;
  return {
    scenario,
    db,
    workers,
    rps: pair.subject.rps,
    p50_ms: pair.subject.p50_ms,
    p99_ms: pair.subject.p99_ms,
    ceiling_rps: pair.ceiling.rps,
    ratio: pair.ratio ? pair.ratio.median : null,
    ratio_min: pair.ratio ? pair.ratio.min : null,
    ratio_max: pair.ratio ? pair.ratio.max : null,
    cpu_ratio: pair.cpuRatio,
    cpu_ms: pair.subject.cpu_ms,
    ceiling_cpu_ms: pair.ceiling.cpu_ms,
    ratio_target: target,
    target: `≥${target}`,
    pass: pair.ratio !== null && pair.ratio.median >= target,
    rss_mb: rss,
    errors,
  };
}

/** A row with a target of its own (latency, RSS): no ceiling. */
function plainRow(scenario, db, workers, result, target, pass, rss) {
  const { rps = null, p50_ms = null, p99_ms = null, errors = null } = result;
  return {
    scenario,
    db,
    workers,
    rps,
    p50_ms,
    p99_ms,
    ceiling_rps: null,
    ratio: null,
    target,
    pass,
    rss_mb: rss,
    errors,
  };
}

function idleRow(kind, workers, rss) {
  return workers === 1
    ? plainRow('idle', kind, 1, {}, `≤${IDLE_MAX_MB} MB`, rss !== null && rss <= IDLE_MAX_MB, rss)
    : plainRow('idle', kind, workers, {}, '–', null, rss);
}

function listRow(kind, workers, list, rss) {
  const pass = list.errors === 0 && list.p50_ms <= LIST_P50_MS && list.p99_ms <= LIST_P99_MS;
  return plainRow('admin list', kind, workers, list, `p50 ≤${LIST_P50_MS}, p99 ≤${LIST_P99_MS} ms`, pass, rss);
}

module.exports = {
  TARGETS,
  LIST_P50_MS,
  LIST_P99_MS,
  IDLE_MAX_MB,
  SOAK_MAX_GROWTH,
  ratioRow,
  plainRow,
  idleRow,
  listRow,
};

'use strict';
// Summarises a V8 .cpuprofile (`node --cpu-prof`): where the busy time went, as self time per
// function, self time per area (a package, jawth's own code, node's internals, GC) and the
// share of busy time with each area anywhere on the stack (inclusive). Idle time is left out.
//   node bench/lib/profile.js FILE.cpuprofile [top] [last-ms] [requests in those ms]
const fs = require('node:fs');
const path = require('node:path');

const IDLE = new Set(['(idle)', '(program)']);

/** Which part of the process a frame belongs to: a package, jawth, node, or V8's own. */
function areaOf(frame) {
  const url = frame.url || '';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/dist/'))
    return `jawth ${
      url
        .slice(url.indexOf('/dist/') + 6)
        .split('/')
        .slice(0, -1)
        .join('/') || '.'
    }`;
  if (url.startsWith('node:'))
    return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(14).split('/')[0] : url.slice(5)}`;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  return path.basename(url);
}

function label(frame) {
  const url = frame.url
    ? frame.url
        .replace(/^.*node_modules\//, '')
        .replace(/^.*\/dist\//, 'dist/')
        .replace(/^file:\/\//, '')
    : '';
  return `${frame.functionName || '(anonymous)'}${url ? ` ${url}:${frame.lineNumber + 1}` : ''}`;
}

/** `windowMs`: only the last so many ms of the profile (the load, not the start-up). */
function summarise(file, windowMs = Infinity) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const selfUs = new Map();
  const from = profile.endTime - windowMs * 1000;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const totalUs = Math.min(profile.endTime - profile.startTime, windowMs * 1000);
  let busyUs = 0;
  const byFunction = new Map();
  const byArea = new Map();
  const inclusive = new Map();
  const inclusiveFunctions = new Map();
  const stackAreas = new Map(); // node id → areas on its stack (memoised)
  const stackFunctions = new Map(); // node id → package and jawth functions on its stack (memoised)
  const functionsOf = (id) => {
    if (stackFunctions.has(id)) return stackFunctions.get(id);
    const up = parent.has(id) ? functionsOf(parent.get(id)) : new Set();
    const frame = nodes.get(id).callFrame;
    const set = frame.url && !frame.url.startsWith('node:') ? new Set(up).add(label(frame)) : up;
    stackFunctions.set(id, set);
    return set;
  };
  const areasOf = (id) => {
    if (stackAreas.has(id)) return stackAreas.get(id);
    const up = parent.has(id) ? areasOf(parent.get(id)) : new Set();
    const set = new Set(up).add(areaOf(nodes.get(id).callFrame));
    stackAreas.set(id, set);
    return set;
  };
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id).callFrame;
    if (IDLE.has(frame.functionName)) continue;
    busyUs += us;
    const key = label(frame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    for (const a of areasOf(id)) inclusive.set(a, (inclusive.get(a) ?? 0) + us);
    for (const f of functionsOf(id)) inclusiveFunctions.set(f, (inclusiveFunctions.get(f) ?? 0) + us);
  }
  const rank = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((us / busyUs) * 1000) / 10 }));
  return {
    file,
    total_ms: Math.round(totalUs / 1000),
    busy_ms: Math.round(busyUs / 1000),
    functions: rank(byFunction),
    areas: rank(byArea),
    inclusive: rank(inclusive).filter((r) => !r.name.startsWith('(') && r.name !== '(native)'),
    inclusive_functions: rank(inclusiveFunctions),
  };
}

/**
 * The summary as text: busy share, then the top self-time functions, areas, inclusive areas and
 * inclusive functions (package and jawth code only). With `requests` (answers in the profiled
 * window) each line also shows microseconds per request.
 */
function format(summary, { top = 15, requests = 0 } = {}) {
  const line = (r) =>
    `    ${String(r.percent).padStart(5)}%${requests ? `  ${String(Math.round((r.ms * 1000) / requests)).padStart(5)} µs/req` : ''}  ${r.name}`;
  const perRequest = requests
    ? `, ${Math.round((summary.busy_ms * 1000) / requests)} µs of busy main thread per request`
    : '';
  const lines = [
    `${path.basename(summary.file)}: ${summary.busy_ms} ms busy of ${summary.total_ms} ms (${Math.round((summary.busy_ms / summary.total_ms) * 100)}%)${perRequest}`,
    '  top self time, per function (% of busy):',
    ...summary.functions.slice(0, top).map(line),
    '  self time per area:',
    ...summary.areas.slice(0, 12).map(line),
    '  busy time with the area on the stack (inclusive):',
    ...summary.inclusive.slice(0, 16).map(line),
    '  busy time with the function on the stack (inclusive; packages and jawth):',
    ...summary.inclusive_functions.slice(0, top + 10).map(line),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top, windowMs, requests] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/lib/profile.js FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  process.stdout.write(
    `${format(summarise(file, Number(windowMs) || Infinity), { top: Number(top) || 15, requests: Number(requests) || 0 })}\n`,
  );
}

module.exports = { summarise, format };

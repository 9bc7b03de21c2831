'use strict';
// The runs beyond the table's ratios: `--soak` (RSS under 60 s of load) and `--profile` (a CPU
// profile of each hot path). See bench/README.md.
const fs = require('node:fs');
const path = require('node:path');
const { startJawth, startCeilingServer } = require('./processes');
const { measure, median } = require('./load');
const { summarise, format } = require('./profile');
const { plainRow, SOAK_MAX_GROWTH } = require('./rows');
const scenarios = require('./scenarios');

const log = (text) => process.stderr.write(`bench: ${text}\n`);
const round = (n) => Math.round(n * 100) / 100;
const tenth = (n) => Math.round(n * 10) / 10;

/**
 * 60 s of access load in 5 s slices, RSS after each. RSS swings by tens of MB between two
 * samples as the heap is collected, so growth compares medians: of the samples after the
 * warm-up's 10 s (slices 3 to 6) and of the last four; it should stay under 10%.
 */
async function soakRun(server, kind, accessOptions) {
  log(`${kind}: soak, 60 s of access load`);
  const start = server.rss();
  const samples = [];
  let errors = 0;
  let last;
  for (let i = 0; i < 12; i++) {
    last = await measure(accessOptions, { seconds: 5, warmup: 0 });
    errors += last.errors;
    samples.push(server.rss());
  }
  const warm = tenth(median(samples.slice(2, 6)));
  const end = tenth(median(samples.slice(8)));
  const percent = round(((end - warm) / warm) * 100);
  log(`${kind}: soak RSS every 5 s: ${samples.join(', ')} MB`);
  log(
    `${kind}: soak RSS start ${start} MB, median after warm-up ${warm} MB, median at the end ${end} MB (${percent}%)`,
  );
  const target = `RSS ${start}→${warm}→${end} MB, ${percent >= 0 ? '+' : ''}${percent}% after warm-up (<${SOAK_MAX_GROWTH}%)`;
  return plainRow('soak 60s', kind, 1, { ...last, errors }, target, errors === 0 && percent < SOAK_MAX_GROWTH, end);
}

const profileArgs = (dir, name) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`];

/**
 * `--profile`: one jawth per hot path under `node --cpu-prof` (`vars`: SQLite, 1 worker), loaded
 * as its row loads it for `seconds`, then the access ceiling likewise; the profiles go to
 * bench/results/profiles/ and a summary of each (the measured window only) to stderr.
 * `options`: { seconds, connections, loginConnections, wanted(scenario) }.
 */
async function profileRun(vars, ceiling, { seconds, connections, loginConnections, wanted }) {
  const dir = path.join(__dirname, '..', 'results', 'profiles');
  fs.mkdirSync(dir, { recursive: true });
  const window = { seconds, warmup: 1 };
  const loads = {
    access: async (server) => measure(await scenarios.accessLoad(server, connections), window),
    login: async (server) => scenarios.measureLogin(`${server.url}/${scenarios.APP}/login`, loginConnections, window),
    refresh: async (server) => measure((await scenarios.refreshLoad(server, connections)).options, window),
  };
  const summary = (name, result) =>
    `profile: ${name} at ${result.rps} req/s (${result.errors} errors) under --cpu-prof\n` +
    format(summarise(path.join(dir, `${name}.cpuprofile`), seconds * 1000), { requests: result.ok });
  for (const [name, load] of Object.entries(loads)) {
    if (!wanted(name)) continue;
    fs.rmSync(path.join(dir, `${name}.cpuprofile`), { force: true });
    const server = await startJawth({ vars, NODE_ARGS: profileArgs(dir, name) });
    let result;
    try {
      log(`profile: ${name}, ${seconds} s of load`);
      result = await load(server);
    } finally {
      await server.stop();
    }
    log(summary(name, result));
  }
  if (!wanted('access')) return;
  // The ceiling's own profile, to set jawth's access profile against.
  fs.rmSync(path.join(dir, 'ceiling-access.cpuprofile'), { force: true });
  const server = await startCeilingServer(ceiling.secret, 1, profileArgs(dir, 'ceiling-access'));
  let result;
  try {
    const options = {
      url: `${server.url}/ceiling/access`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'bench', refresh_token: ceiling.tokens.refresh }),
      connections,
    };
    result = await measure(options, window);
  } finally {
    await server.stop();
  }
  log(summary('ceiling-access', result));
}

module.exports = { soakRun, profileRun };

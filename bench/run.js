'use strict';
// `npm run bench [-- --quick] [-- --soak]`: jawth from dist/ against the ceilings of this
// machine, measured in the same run. See bench/README.md.
process.env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE || '4'; // before any pool use

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, startJawth, startCeilingServer } = require('./lib/processes');
const { createDatabase } = require('./lib/database');
const { measure, withCpu, alternate } = require('./lib/load');
const { ratioRow, idleRow, listRow } = require('./lib/rows');
const { soakRun, profileRun } = require('./lib/extra-runs');
const { table, writeResults } = require('./lib/report');
const scenarios = require('./lib/scenarios');

const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const value = (name) => flag(name)?.split('=').slice(1).join('=') || null;
const quick = Boolean(flag('quick'));
const soak = Boolean(flag('soak'));
const profile = Boolean(flag('profile'));
// `--only=login,access`: just those scenarios (idle is always measured); for experiments.
const only = value('only')?.split(',') ?? null;
const wanted = (scenario) => !only || only.includes(scenario);
// PostgreSQL when BENCH_DATABASE_URL is set or `--postgres[=URL]` is given (alone: the local server).
const postgresUrl =
  value('postgres') ||
  process.env.BENCH_DATABASE_URL ||
  (flag('postgres') ? 'postgres://postgres@127.0.0.1:5432/postgres' : null);
// Each ratio is `rounds` pairs of slices (ceiling, subject, ceiling, subject ...). Login's slices
// are longer: at cost 12 one answer takes about a second, and its rate is ~10/s.
const rounds = quick ? 3 : 5;
const slice = quick ? { seconds: 2, warmup: 0.5 } : { seconds: 5, warmup: 1 };
const loginSlice = quick ? { seconds: 3, warmup: 1.2 } : { seconds: 8, warmup: 2 };
const CONNECTIONS = 10;
const LOGIN_CONNS = Number(process.env.LOGIN_CONNS || 8);
// The server's configured cost: BCRYPT_COST when set, else its default (12).
const cost = Number(process.env.BCRYPT_COST || 12);
const logLevel = process.env.LOG_LEVEL || 'info';
const keys = { SECRET_KEY: crypto.randomBytes(32).toString('hex'), JAWTH_KEY: crypto.randomBytes(16).toString('hex') };
const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

const log = (text) => process.stderr.write(`bench: ${text}\n`);

/** Adds a ratio row, and says on stderr what the errors that void its ratio were. */
function pushRatioRow(rows, scenario, kind, workers, pair, rss) {
  const row = ratioRow(scenario, kind, workers, pair, rss);
  if (row.errors > 0) {
    const causes = (side) => JSON.stringify(pair[side].causes ?? {});
    log(`${scenario} (${kind}, ${workers}w): errors, ceiling ${causes('ceiling')}, jawth ${causes('subject')}`);
  }
  rows.push(row);
}

/** Tokens the ceiling server accepts: a refresh-shaped one and an access-shaped one. */
function ceilingTokens(secret) {
  const { signToken } = require(path.join(ROOT, 'dist', 'crypto', 'jwt'));
  const iat = Math.floor(Date.now() / 1000);
  const common = { username: 'alice', app: 'bench', iss: 'jawth', iat, exp: iat + 3600 };
  return {
    refresh: signToken({ ...common, jti: crypto.randomBytes(32).toString('base64url'), typ: 'refresh' }, secret),
    access: signToken({ ...common, id: crypto.randomUUID(), role: 'user', groups: ['staff'], orgs: [] }, secret),
  };
}

/** verify: the same route without and with the jawth/express middleware, in the ceiling server. */
async function verifyScenario(ceiling, rows) {
  log('verify: the same route without and with jawth/express');
  const headers = { authorization: `Bearer ${ceiling.tokens.access}` };
  const pair = await alternate(
    () => withCpu(ceiling, () => measure({ url: `${ceiling.url}/open`, headers, connections: CONNECTIONS }, slice)),
    () =>
      withCpu(ceiling, () => measure({ url: `${ceiling.url}/protected`, headers, connections: CONNECTIONS }, slice)),
    rounds,
  );
  const real = fs.existsSync(path.join(ROOT, 'dist', 'express', 'index.js'));
  pushRatioRow(rows, 'verify', real ? 'none' : 'none (stand-in)', 1, pair, ceiling.rss());
}

/**
 * The scenarios against one jawth (WORKERS=1 or 2) and the ceiling server with as many workers:
 * login against bcrypt, access against bare Express, refresh against the same, then admin list.
 * Returns the access options (for the soak).
 */
async function scenarioRows(kind, server, ceiling, workers, rows) {
  const tag = `${kind}, ${workers} worker${workers > 1 ? 's' : ''}`;
  // --quick measures only the rows with a WORKERS=2 target of their own there (access, admin list).
  const measured = (scenario) => wanted(scenario) && !(quick && workers > 1 && ['login', 'refresh'].includes(scenario));
  if (measured('login')) {
    log(`${tag}: login against one bcrypt comparison behind bare Express (${rounds} pairs)`);
    const pair = await alternate(
      () => withCpu(ceiling, () => scenarios.measureLogin(`${ceiling.url}/ceiling/login`, LOGIN_CONNS, loginSlice)),
      () =>
        withCpu(server, () => scenarios.measureLogin(`${server.url}/${scenarios.APP}/login`, LOGIN_CONNS, loginSlice)),
      rounds,
    );
    pushRatioRow(rows, 'login', kind, workers, pair, server.rss());
  }
  const accessOptions = await scenarios.accessLoad(server, CONNECTIONS);
  const ceilingOptions = {
    ...accessOptions,
    url: `${ceiling.url}/ceiling/access`,
    body: JSON.stringify({ namespace: 'bench', refresh_token: ceiling.tokens.refresh }),
  };
  if (measured('access')) {
    log(`${tag}: access against bare Express parse + verify + sign (${rounds} pairs)`);
    const pair = await alternate(
      () => withCpu(ceiling, () => measure(ceilingOptions, slice)),
      () => withCpu(server, () => measure(accessOptions, slice)),
      rounds,
    );
    pushRatioRow(rows, 'access', kind, workers, pair, server.rss());
  }
  if (measured('refresh')) {
    log(`${tag}: refresh (rotation) against the access ceiling (${rounds} pairs)`);
    const refresh = await scenarios.refreshLoad(server, CONNECTIONS);
    const pair = await alternate(
      () => withCpu(ceiling, () => measure(ceilingOptions, slice)),
      () => withCpu(server, () => measure(refresh.options, slice)),
      rounds,
      refresh.topUp,
    );
    pushRatioRow(rows, 'refresh', kind, workers, pair, server.rss());
  }
  if (measured('list')) {
    log(`${tag}: admin list`);
    const list = await measure(scenarios.listLoad(server, keys, 2), {
      seconds: slice.seconds * 2,
      warmup: slice.warmup,
    });
    rows.push(listRow(kind, workers, list, server.rss()));
  }
  return accessOptions;
}

async function benchDatabase(kind, url, ceilings, rows) {
  const database = await createDatabase(kind, url);
  try {
    const vars = { ...keys, DATABASE_URL: database.url, BCRYPT_COST: String(cost), LOG_LEVEL: logLevel, WORKERS: '1' };
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean);
    const server = await startJawth({ vars, NODE_ARGS: nodeArgs });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      rows.push(idleRow(kind, 1, server.rss()));
      log(`${kind}: arranging ${scenarios.LIST_USERS} users`);
      const { insertSeconds } = await scenarios.arrange(server, keys, database.url, cost);
      log(`${kind}: users inserted in ${insertSeconds.toFixed(1)} s`);
      const accessOptions = await scenarioRows(kind, server, ceilings[1], 1, rows);
      if (soak) rows.push(await soakRun(server, kind, accessOptions));
    } finally {
      await server.stop();
    }
    if (profile && kind === 'sqlite') {
      const options = { seconds: quick ? 5 : 10, connections: CONNECTIONS, loginConnections: LOGIN_CONNS, wanted };
      await profileRun(vars, ceilings[1], options);
    }
    const cluster = await startJawth({ vars: { ...vars, WORKERS: '2' }, NODE_ARGS: nodeArgs });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      rows.push(idleRow(kind, 2, cluster.rss()));
      await scenarioRows(kind, cluster, ceilings[2], 2, rows);
    } finally {
      await cluster.stop();
    }
  } finally {
    await database.drop();
  }
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'server.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  const started = Date.now();
  const loadStart = loadAverage();
  log(`load average at the start (1, 5, 15 min): ${loadStart} on ${os.cpus().length} CPUs`);
  const rows = [];
  const secret = crypto.randomBytes(32).toString('hex');
  const tokens = ceilingTokens(secret);
  const ceilings = {};
  try {
    for (const workers of [1, 2])
      ceilings[workers] = { ...(await startCeilingServer(secret, workers, [], cost)), secret, tokens };
    if (wanted('verify')) await verifyScenario(ceilings[1], rows);
    await benchDatabase('sqlite', null, ceilings, rows);
    if (postgresUrl) await benchDatabase('postgres', postgresUrl, ceilings, rows);
  } finally {
    for (const ceiling of Object.values(ceilings)) await ceiling.stop();
  }
  rows.sort((a, b) => (a.scenario === 'verify') - (b.scenario === 'verify'));
  const loadEnd = loadAverage();
  const busy = Math.max(os.loadavg()[0], Number(loadStart.split(' ')[0])) > os.cpus().length;
  log(`load average at the end: ${loadEnd}`);
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ') ?? 'unknown CPU';
  const options = [quick && '--quick', soak && '--soak', only && `--only=${only.join(',')}`].filter(Boolean).join(' ');
  const title =
    `jawth bench ${new Date().toISOString().slice(0, 16)}Z: ${os.cpus().length} × ${cpu}, node ${process.version}, ` +
    `bcrypt cost ${cost}, LOG_LEVEL=${logLevel}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}, ` +
    `${rounds} pairs per ratio${options ? `, ${options}` : ''}; load average ${loadStart} at the start, ${loadEnd} at the end` +
    (busy ? ` (busier than its ${os.cpus().length} CPUs: read the spreads)` : '');
  process.stdout.write(`\n${title}\n\n${table(rows)}\n\n`);
  writeResults(rows, path.join(__dirname, 'results'), title);
  log(`done in ${Math.round((Date.now() - started) / 1000)} s; wrote bench/results/latest.{json,svg,md}`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack || error}\n`);
  process.exit(1);
});

'use strict';
// `npm run bench [-- --quick] [-- --soak]`: jawth from dist/ against the ceilings of this
// machine, measured in the same run. See the README's Performance section.
process.env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE || '4'; // before any pool use

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, startJawth, startCeilingServer } = require('./lib/processes');
const { createDatabase } = require('./lib/database');
const { measure, bcryptCeiling } = require('./lib/load');
const { table, writeResults } = require('./lib/report');
const scenarios = require('./lib/scenarios');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const soak = args.includes('--soak');
const timing = quick ? { seconds: 3, warmup: 1 } : { seconds: 8, warmup: 2 };
const CONNECTIONS = 10;
const cost = Number(process.env.BCRYPT_COST || 10);
const logLevel = process.env.LOG_LEVEL || 'info';
const keys = { SECRET_KEY: crypto.randomBytes(32).toString('hex'), JAWTH_KEY: crypto.randomBytes(16).toString('hex') };
const round = (n) => (typeof n === 'number' ? Math.round(n * 100) / 100 : null);

const log = (text) => process.stderr.write(`bench: ${text}\n`);

function row(scenario, db, result, ceiling, target, rss) {
  return {
    scenario,
    db,
    workers: 1,
    ...result,
    ceiling_rps: ceiling ?? null,
    ratio: ceiling ? round(result.rps / ceiling) : null,
    target,
    rss_mb: rss,
  };
}

/** The ceilings: bcrypt on the thread pool, a bare Express verify+sign route, a route without middleware. */
async function ceilings(rows) {
  log(`bcrypt ceiling at cost ${cost}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}`);
  const bcryptRps = await bcryptCeiling(cost, quick ? 3 : 5);
  const secret = crypto.randomBytes(32).toString('hex');
  const server = await startCeilingServer(secret);
  try {
    const { signToken } = require(path.join(ROOT, 'dist', 'crypto', 'jwt'));
    const iat = Math.floor(Date.now() / 1000);
    const refresh = signToken(
      { username: 'alice', app: 'bench', jti: 'x'.repeat(43), typ: 'refresh', iss: 'jawth', iat, exp: iat + 3600 },
      secret,
    );
    log('access ceiling: bare Express, parse + verify + sign');
    const access = await measure(
      {
        url: `${server.url}/ceiling/access`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: 'bench', refresh_token: refresh }),
        connections: CONNECTIONS,
      },
      timing,
    );
    const bearer = signToken(
      {
        username: 'alice',
        id: crypto.randomUUID(),
        role: 'user',
        groups: ['staff'],
        orgs: [],
        app: 'bench',
        iss: 'jawth',
        iat,
        exp: iat + 3600,
      },
      secret,
    );
    const headers = { authorization: `Bearer ${bearer}` };
    log('verify: the same route without and with jawth/express');
    const open = await measure({ url: `${server.url}/open`, headers, connections: CONNECTIONS }, timing);
    const guarded = await measure({ url: `${server.url}/protected`, headers, connections: CONNECTIONS }, timing);
    const middleware = fs.existsSync(path.join(ROOT, 'dist', 'express', 'index.js'))
      ? 'none'
      : 'none (stand-in middleware)';
    rows.push(row('verify', middleware, guarded, open.rps, '≥0.8', server.rss()));
    return { bcryptRps, accessRps: access.rps };
  } finally {
    await server.stop();
  }
}

async function benchDatabase(kind, ceiling, rows) {
  const database = await createDatabase(kind);
  try {
    const vars = { ...keys, DATABASE_URL: database.url, BCRYPT_COST: String(cost), LOG_LEVEL: logLevel, WORKERS: '1' };
    const server = await startJawth({ vars, NODE_ARGS: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const idle = server.rss();
      log(`${kind}: arranging ${'100,000'} users`);
      const { insertSeconds } = await scenarios.arrange(server, keys, database.url, cost);
      log(`${kind}: users inserted in ${insertSeconds.toFixed(1)} s; login`);
      rows.push(row('idle', kind, { rps: null, p50_ms: null, p99_ms: null, errors: null }, null, '≤120 MB', idle));
      const login = await scenarios.loginScenario(server, timing);
      rows.push(row('login', kind, login, ceiling.bcryptRps, '≥0.9', server.rss()));
      log(`${kind}: access`);
      const access = await scenarios.accessScenario(server, timing, CONNECTIONS);
      rows.push(row('access', kind, access, ceiling.accessRps, '≥0.5', server.rss()));
      log(`${kind}: refresh (rotation)`);
      const refresh = await scenarios.refreshScenario(server, timing, CONNECTIONS);
      rows.push(row('refresh', kind, refresh, ceiling.accessRps, undefined, server.rss()));
      log(`${kind}: admin list`);
      const list = await scenarios.listScenario(server, keys, timing, 2);
      rows.push(row('admin list', kind, list, null, 'p50 ≤20 ms', server.rss()));
      if (soak) rows.push(await soakRun(server, kind, ceiling));
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

/** 60 s of access load in 5 s slices; RSS after each. Growth = last slice minus the second. */
async function soakRun(server, kind, ceiling) {
  log(`${kind}: soak, 60 s of access load`);
  const samples = [];
  let last;
  for (let i = 0; i < 12; i++) {
    last = await scenarios.accessScenario(server, { seconds: 5, warmup: 0 }, CONNECTIONS);
    samples.push(server.rss());
  }
  log(`${kind}: soak RSS every 5 s: ${samples.join(', ')} MB`);
  const growth = round(samples[11] - samples[1]);
  return { ...row('soak 60s', kind, last, ceiling.accessRps, `growth ${growth} MB`, samples[11]) };
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'server.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  const started = Date.now();
  const rows = [];
  const ceiling = await ceilings(rows);
  const kinds = ['sqlite', ...(process.env.BENCH_DATABASE_URL ? ['postgres'] : [])];
  for (const kind of kinds) await benchDatabase(kind, ceiling, rows);
  rows.sort((a, b) => (a.scenario === 'verify') - (b.scenario === 'verify'));
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ') ?? 'unknown CPU';
  const title = `jawth bench ${new Date().toISOString().slice(0, 16)}Z: ${os.cpus().length} × ${cpu}, node ${process.version}, bcrypt cost ${cost}, LOG_LEVEL=${logLevel}${quick ? ', --quick' : ''}`;
  process.stdout.write(`\n${title}\n\n${table(rows)}\n\n`);
  writeResults(rows, path.join(__dirname, 'results'), title);
  log(`done in ${Math.round((Date.now() - started) / 1000)} s; wrote bench/results/latest.{json,svg,md}`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack || error}\n`);
  process.exit(1);
});

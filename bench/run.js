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
const { measure, alternate, bcryptCeiling } = require('./lib/load');
const { table, writeResults } = require('./lib/report');
const scenarios = require('./lib/scenarios');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const soak = args.includes('--soak');
// Each measurement is `rounds` slices of `slice.seconds`, alternated with its ceiling's.
const slice = quick ? { seconds: 3, warmup: 1 } : { seconds: 5, warmup: 1 };
const rounds = quick ? 1 : 2;
const CONNECTIONS = 10;
// The server's configured cost: BCRYPT_COST when set, else its default (12).
const cost = Number(process.env.BCRYPT_COST || 12);
const logLevel = process.env.LOG_LEVEL || 'info';
const keys = { SECRET_KEY: crypto.randomBytes(32).toString('hex'), JAWTH_KEY: crypto.randomBytes(16).toString('hex') };
const round = (n) => (typeof n === 'number' ? Math.round(n * 100) / 100 : null);

// The ceiling server's address and access body, for the WORKERS=2 rows.
let ceilingUrl;
let ceilingBody;

const log = (text) => process.stderr.write(`bench: ${text}\n`);

function row(scenario, db, result, ceiling, target, rss, workers = 1) {
  return {
    scenario,
    db,
    workers,
    ...result,
    ceiling_rps: ceiling ?? null,
    ratio: ceiling ? round(result.rps / ceiling) : null,
    target,
    rss_mb: rss,
  };
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
async function verifyScenario(ceilingServer, tokens, rows) {
  log('verify: the same route without and with jawth/express');
  const headers = { authorization: `Bearer ${tokens.access}` };
  const [open, guarded] = await alternate(
    () => measure({ url: `${ceilingServer.url}/open`, headers, connections: CONNECTIONS }, slice),
    () => measure({ url: `${ceilingServer.url}/protected`, headers, connections: CONNECTIONS }, slice),
    rounds,
  );
  const real = fs.existsSync(path.join(ROOT, 'dist', 'express', 'index.js'));
  rows.push(row('verify', real ? 'none' : 'none (stand-in)', guarded, open.rps, '≥0.8', ceilingServer.rss()));
}

async function benchDatabase(kind, ceilingServer, tokens, rows) {
  const database = await createDatabase(kind);
  try {
    const vars = { ...keys, DATABASE_URL: database.url, BCRYPT_COST: String(cost), LOG_LEVEL: logLevel, WORKERS: '1' };
    const server = await startJawth({ vars, NODE_ARGS: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const idle = server.rss();
      log(`${kind}: arranging ${scenarios.LIST_USERS} users`);
      const { insertSeconds } = await scenarios.arrange(server, keys, database.url, cost);
      rows.push(row('idle', kind, { rps: null, p50_ms: null, p99_ms: null, errors: null }, null, '≤120 MB', idle));

      log(`${kind}: users inserted in ${insertSeconds.toFixed(1)} s; login against bcrypt on the thread pool`);
      const [bcryptRps, login] = await alternate(
        () => bcryptCeiling(cost, slice.seconds),
        () => measure(scenarios.loginLoad(server), slice),
        rounds,
      );
      rows.push(row('login', kind, login, bcryptRps.rps, '≥0.9', server.rss()));

      log(`${kind}: access against bare Express parse + verify + sign`);
      const accessOptions = await scenarios.accessLoad(server, CONNECTIONS);
      ceilingUrl = ceilingServer.url;
      ceilingBody = JSON.stringify({ namespace: 'bench', refresh_token: tokens.refresh });
      const ceilingOptions = { ...accessOptions, url: `${ceilingUrl}/ceiling/access`, body: ceilingBody };
      const [ceiling, access] = await alternate(
        () => measure(ceilingOptions, slice),
        () => measure(accessOptions, slice),
        rounds,
      );
      rows.push(row('access', kind, access, ceiling.rps, '≥0.5', server.rss()));

      log(`${kind}: refresh (rotation)`);
      const refresh = await measure(await scenarios.refreshLoad(server, CONNECTIONS), slice);
      rows.push(row('refresh', kind, refresh, ceiling.rps, undefined, server.rss()));

      log(`${kind}: admin list`);
      const list = await measure(scenarios.listLoad(server, keys, 2), slice);
      rows.push(row('admin list', kind, list, null, 'p50 ≤20 ms', server.rss()));
      if (soak) rows.push(await soakRun(server, kind, accessOptions, ceiling.rps));
    } finally {
      await server.stop();
    }
    await clusterRun(kind, vars, rows);
  } finally {
    await database.drop();
  }
}

/**
 * WORKERS=2 (node:cluster) on the same database, after the single-process rows: the same loads,
 * against the ceilings measured alongside, in alternating slices again.
 */
async function clusterRun(kind, vars, rows) {
  const server = await startJawth({ vars: { ...vars, WORKERS: '2' } });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    rows.push(row('idle', kind, { rps: null, p50_ms: null, p99_ms: null, errors: null }, null, '–', server.rss(), 2));
    log(`${kind}: WORKERS=2 login`);
    const [bcryptRps, login] = await alternate(
      () => bcryptCeiling(cost, slice.seconds),
      () => measure(scenarios.loginLoad(server), slice),
      rounds,
    );
    rows.push(row('login', kind, login, bcryptRps.rps, '–', server.rss(), 2));
    log(`${kind}: WORKERS=2 access`);
    const accessOptions = await scenarios.accessLoad(server, CONNECTIONS);
    const ceilingOptions = { ...accessOptions, url: `${ceilingUrl}/ceiling/access`, body: ceilingBody };
    const [ceiling, access] = await alternate(
      () => measure(ceilingOptions, slice),
      () => measure(accessOptions, slice),
      rounds,
    );
    rows.push(row('access', kind, access, ceiling.rps, '–', server.rss(), 2));
    log(`${kind}: WORKERS=2 refresh, admin list`);
    const refresh = await measure(await scenarios.refreshLoad(server, CONNECTIONS), slice);
    rows.push(row('refresh', kind, refresh, ceiling.rps, undefined, server.rss(), 2));
    const list = await measure(scenarios.listLoad(server, keys, 2), slice);
    rows.push(row('admin list', kind, list, null, 'p50 ≤20 ms', server.rss(), 2));
  } finally {
    await server.stop();
  }
}

/**
 * 60 s of access load in 5 s slices, RSS after each. RSS is reported at the start (before the
 * load), after the warm-up (the first 10 s: heap, caches and JIT settle) and at the end; growth
 * is counted after the warm-up, and should stay under 10% of it.
 */
async function soakRun(server, kind, accessOptions, ceilingRps) {
  log(`${kind}: soak, 60 s of access load`);
  const start = server.rss();
  const samples = [];
  let last;
  for (let i = 0; i < 12; i++) {
    last = await measure(accessOptions, { seconds: 5, warmup: 0 });
    samples.push(server.rss());
  }
  const warm = samples[1];
  const end = samples[11];
  const growth = round(end - warm);
  const percent = round(((end - warm) / warm) * 100);
  const verdict = percent < 10 ? 'under 10%' : 'NOT under 10%';
  log(`${kind}: soak RSS every 5 s: ${samples.join(', ')} MB`);
  log(
    `${kind}: soak RSS start ${start} MB, after 10 s warm-up ${warm} MB, end ${end} MB: growth after warm-up ${growth} MB (${percent}%, ${verdict})`,
  );
  return row(
    'soak 60s',
    kind,
    last,
    ceilingRps,
    `RSS ${start}→${warm}→${end} MB, ${percent >= 0 ? '+' : ''}${percent}% after warm-up (<10%)`,
    end,
  );
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'server.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  const started = Date.now();
  const rows = [];
  const secret = crypto.randomBytes(32).toString('hex');
  const tokens = ceilingTokens(secret);
  const ceilingServer = await startCeilingServer(secret);
  try {
    await verifyScenario(ceilingServer, tokens, rows);
    const kinds = ['sqlite', ...(process.env.BENCH_DATABASE_URL ? ['postgres'] : [])];
    for (const kind of kinds) await benchDatabase(kind, ceilingServer, tokens, rows);
  } finally {
    await ceilingServer.stop();
  }
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

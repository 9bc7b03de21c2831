/**
 * Measures `jawth export` → `jawth import` of 100,000 users between two empty PostgreSQL schemas
 * (a benchmark, not a test): seeds schema A in SQL, exports it to a file, imports the file into
 * schema B, checks that both hold the same rows, and prints time and peak RSS of each phase.
 *
 *   node -r ./bench/register-ts.js bench/dump-roundtrip-100k.ts [users]
 *   PG_URL=postgres://… (default: TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { Client } from 'pg';
import { migrateUp } from '../src/db/migrator';
import { openDatabase } from '../src/db/sequelize';
import { closeStore, storeOf } from '../src/services/deps';
import { exportDump } from '../src/services/import/dump-export.service';
import { importDump } from '../src/services/import/dump-import.service';

const PG_URL = process.env.PG_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const USERS = Number(process.argv[2] ?? 100_000);
// One real bcrypt hash for every user: hashing 100,000 passwords would measure bcrypt, not the dump.
const HASH = '$2b$10$CwTycUXWue0Thq9StjUM0uJ8DnGzTBtqNl5Q9Yg/ybH5fY1mZ7vVe';

async function sql(query: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query(query)).rows;
  } finally {
    await client.end();
  }
}

/** Peak RSS while `work` runs, sampled every 20 ms (the process's maxRSS only ever grows). */
async function measure<T>(label: string, work: () => Promise<T>): Promise<T> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = process.hrtime.bigint();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`${label}: ${seconds.toFixed(1)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
  }
}

// Timestamps at millisecond precision, as jawth writes them (a JavaScript Date holds no more).
async function seed(schema: string): Promise<void> {
  await sql(`SET search_path = ${schema};
    INSERT INTO applications (name, secret, refresh_secret, access_ttl, access_ttl_max, refresh_ttl_max, created_at, updated_at)
      VALUES ('bench', '${crypto.randomBytes(32).toString('hex')}', '${crypto.randomBytes(32).toString('hex')}', 900, 1200, 86400, date_trunc('milliseconds', now()), date_trunc('milliseconds', now()));
    INSERT INTO groups (application_id, name, created_at) SELECT 1, 'group-' || g, date_trunc('milliseconds', now()) FROM generate_series(1, 10) g;
    INSERT INTO orgs (name, created_at) SELECT 'org-' || o, date_trunc('milliseconds', now()) FROM generate_series(1, 5) o;
    INSERT INTO users (uid, application_id, username, password_hash, role, disabled, created_at, updated_at)
      SELECT gen_random_uuid(), 1, 'user-' || i, '${HASH}', 'user', i % 50 = 0, date_trunc('milliseconds', now()), date_trunc('milliseconds', now())
      FROM generate_series(1, ${USERS}) i;
    INSERT INTO user_groups (user_id, group_id) SELECT id, 1 + id % 10 FROM users;
    INSERT INTO user_orgs (user_id, org_id) SELECT id, 1 + id % 5 FROM users WHERE id % 3 = 0;`);
}

/** One digest of every user with memberships, by natural key: equal digests, equal data. */
async function digest(schema: string): Promise<string> {
  const [row] = await sql(`SELECT md5(string_agg(line, '|' ORDER BY line)) AS digest FROM (
      SELECT concat_ws(',', a.name, u.uid, u.username, u.password_hash, u.role, u.disabled, u.created_at,
        (SELECT string_agg(g.name, ';' ORDER BY g.name) FROM ${schema}.user_groups ug JOIN ${schema}.groups g ON g.id = ug.group_id WHERE ug.user_id = u.id),
        (SELECT string_agg(o.name, ';' ORDER BY o.name) FROM ${schema}.user_orgs uo JOIN ${schema}.orgs o ON o.id = uo.org_id WHERE uo.user_id = u.id)) AS line
      FROM ${schema}.users u JOIN ${schema}.applications a ON a.id = u.application_id) lines`);
  return String(row.digest);
}

async function main(): Promise<void> {
  const suffix = crypto.randomBytes(4).toString('hex');
  const [from, to] = [`dump_bench_a_${suffix}`, `dump_bench_b_${suffix}`];
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-dump-')), 'dump.jsonl');
  await sql(`CREATE SCHEMA ${from}; CREATE SCHEMA ${to}`);
  try {
    // Both open at once, as two instances would be: each has its own models (see Deps).
    const source = storeOf(openDatabase(PG_URL, { searchPath: from }));
    const target = storeOf(openDatabase(PG_URL, { searchPath: to }));
    await migrateUp(source.db);
    await seed(from);
    const counts = await measure(`export ${USERS} users`, async () => {
      const out = fs.createWriteStream(file);
      const result = await exportDump(source, out);
      out.end();
      await finished(out);
      return result;
    });
    console.log(`dump: ${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MiB, ${JSON.stringify(counts)}`);

    await migrateUp(target.db);
    const summary = await measure(`import ${USERS} users`, () => importDump(target, fs.createReadStream(file)));
    await Promise.all([closeStore(source), closeStore(target)]);
    console.log(`import: ${JSON.stringify(summary)}`);

    const [a, b] = [await digest(from), await digest(to)];
    console.log(a === b ? `round trip: identical (md5 ${a})` : `round trip: DIFFERENT (${a} vs ${b})`);
    console.log(`process peak RSS (maxRSS): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    if (a !== b) process.exitCode = 1;
  } finally {
    await sql(`DROP SCHEMA ${from} CASCADE; DROP SCHEMA ${to} CASCADE`);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

void main();

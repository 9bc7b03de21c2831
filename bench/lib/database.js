'use strict';
// The bench's own databases: a temporary SQLite file, and a fresh PostgreSQL database (dropped
// afterwards) when BENCH_DATABASE_URL is set. Bulk users go in by plain SQL.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const { ROOT } = require('./processes');

async function pgQuery(url, sql) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** { kind, url, drop() }: a database that exists only for this run (PostgreSQL: made on `base`). */
async function createDatabase(kind, base) {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-bench-db-'));
    return {
      kind,
      url: `sqlite:${path.join(dir, 'bench.sqlite')}`,
      drop: async () => fs.rmSync(dir, { recursive: true }),
    };
  }
  const name = `jawth_bench_${crypto.randomBytes(5).toString('hex')}`;
  await pgQuery(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: () => pgQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

const quote = (text) => `'${String(text).replace(/'/g, "''")}'`;

/**
 * Inserts `count` users into one application, 1,000 rows per statement in one transaction, all
 * with the same precomputed bcrypt hash (hashing 100,000 passwords would take hours).
 */
async function insertUsers(databaseUrl, applicationId, count, passwordHash) {
  const { openDatabase } = require(path.join(ROOT, 'dist', 'db', 'sequelize'));
  const db = openDatabase(databaseUrl);
  const now = quote(new Date().toISOString().replace('T', ' ').replace('Z', ' +00:00'));
  try {
    await db.transaction(async (transaction) => {
      for (let start = 0; start < count; start += 1000) {
        const rows = [];
        for (let i = start; i < Math.min(start + 1000, count); i++) {
          const username = `user${String(i).padStart(6, '0')}`;
          rows.push(
            `(${quote(crypto.randomUUID())}, ${applicationId}, ${quote(username)}, ${quote(passwordHash)}, 'user', false, ${now}, ${now})`,
          );
        }
        await db.query(
          `INSERT INTO users (uid, application_id, username, password_hash, role, disabled, created_at, updated_at) VALUES ${rows.join(',')}`,
          { transaction },
        );
      }
    });
    // Settle the bulk load now, so that autovacuum and the checkpointer do not run during a measurement.
    await db.query(db.getDialect() === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE');
    if (db.getDialect() === 'postgres') await db.query('CHECKPOINT');
  } finally {
    await db.close();
  }
}

/** The id of an application, read directly (the API never shows row ids). */
async function applicationId(databaseUrl, name) {
  const { openDatabase } = require(path.join(ROOT, 'dist', 'db', 'sequelize'));
  const db = openDatabase(databaseUrl);
  try {
    const [rows] = await db.query(`SELECT id FROM applications WHERE name = ${quote(name)}`);
    return Number(rows[0].id);
  } finally {
    await db.close();
  }
}

module.exports = { createDatabase, insertUsers, applicationId };

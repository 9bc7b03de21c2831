import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import type { Sequelize } from 'sequelize';
import type { Database } from '../../src/db/database';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { buildDeps, closeDeps, instanceDeps } from '../../src/build-deps';
import type { AppDeps } from '../../src/http/app-deps';
import type { BackgroundTasks } from '../../src/infra/background';
import { parseConfig, type Config } from '../../src/config/config';
import { signToken } from '../../src/crypto/jwt';
import { migrateUp } from '../../src/db/migrator';
import { migrationTimeoutsOf, openDatabase, prepareDatabase, timeoutsOf } from '../../src/db/sequelize';
import type { Models } from '../../src/db/models';
import type { Clock } from '../../src/services/deps';
import type { LoginLimiter } from '../../src/infra/login-limiter';
import { UNDECLARED } from '../../src/http/middleware/errors';

export const SECRET_KEY = 'test-secret-key-that-is-at-least-32-bytes-long';
export const JAWTH_KEY = 'test-master-password';

/** A clock the test moves by hand; it starts at the real time so that tokens look ordinary. */
export class FakeClock implements Clock {
  private current = Date.now();
  now(): Date {
    return new Date(this.current);
  }
  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}

export interface TestContext {
  app: Express;
  db: Sequelize;
  /** The model classes of this context's database (each context has its own). */
  models: Models;
  /** What this context's app and services receive (buildDeps: one limiter, one refusal audit…). */
  deps: AppDeps;
  config: Config;
  clock: FakeClock;
  limiter: LoginLimiter;
  /** Another jawth instance on the same database and the same rate-limit store (own limiter and memory). */
  secondInstance(): Promise<Express>;
  close(): Promise<void>;
}

/**
 * A jawth on a real database: in-memory SQLite by default, or a schema of its own in the
 * PostgreSQL database named by TEST_DATABASE_URL, so that test files run in parallel.
 */
export async function createTestContext(
  overrides: Partial<Config> = {},
  options: {
    logger?: pino.Logger;
    sqliteFile?: string;
    redisCommandTimeoutMs?: number;
    /** A limiter of the test's own (closed with the context): else one on the context's clock. */
    limiter?: LoginLimiter;
    background?: BackgroundTasks;
  } = {},
): Promise<TestContext> {
  const pgUrl = options.sqliteFile ? undefined : process.env.TEST_DATABASE_URL || undefined;
  const schema = `jawth_test_${crypto.randomBytes(6).toString('hex')}`;
  if (pgUrl) await adminQuery(pgUrl, `CREATE SCHEMA ${schema}`);
  const databaseUrl = pgUrl ?? (options.sqliteFile ? `sqlite:${options.sqliteFile}` : 'sqlite::memory:');
  // bcrypt cost 4: the configuration allows 10 and up, the tests' clock should not.
  const config = {
    ...parseConfig({ SECRET_KEY, JAWTH_KEY, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }),
    bcryptCost: 4,
    // Bursts of 40 logins at once test the limits, not the admission (tests/api/login-admission.test.ts).
    loginQueueMax: 1000,
    ...overrides,
  };
  const db = openDatabase(databaseUrl, { timeouts: timeoutsOf(config), ...(pgUrl ? { searchPath: schema } : {}) });
  await prepareDatabase(db);
  if (pgUrl) {
    // As the server does: migrations on a connection of their own, without the statement timeout
    // (a loaded test machine can take longer than it over the catalog queries).
    const migrating = openDatabase(databaseUrl, { timeouts: migrationTimeoutsOf(config), searchPath: schema });
    await migrateUp(migrating, pgUrl, { secretKey: config.secretKey }).finally(() => migrating.close());
  } else await migrateUp(db, pgUrl, { secretKey: config.secretKey });
  const clock = new FakeClock();
  activeClock = clock;
  const undeclared: string[] = [];
  const logger = options.logger ?? undeclaredCodesLogger(undeclared);
  // A key prefix of its own, so that test files sharing one Redis never share counters.
  const limiterOptions = { keyPrefix: `jawth-test-${schema}`, commandTimeoutMs: options.redisCommandTimeoutMs };
  const deps = await buildDeps(config, {
    db,
    clock,
    logger,
    limiterOptions,
    limiter: options.limiter,
    background: options.background,
  });
  await deps.limiter.ready();
  const others: LoginLimiter[] = [];
  return {
    app: createApp(deps),
    db,
    models: deps.models,
    deps,
    config,
    clock,
    limiter: deps.limiter,
    async secondInstance() {
      const other = instanceDeps(deps, { limiterOptions });
      others.push(other.limiter);
      await other.limiter.ready();
      return createApp(other);
    },
    async close() {
      await Promise.all(others.map((l) => l.close()));
      await closeDeps(deps);
      if (pgUrl) await adminQuery(pgUrl, `DROP SCHEMA ${schema} CASCADE`);
      // Every error a test provoked must be one its route declares (src/errors.ts, the catalogue).
      if (undeclared.length > 0) throw new Error(`Routes answered undeclared error codes: ${undeclared.join('; ')}`);
    },
  };
}

/** A logger that records only the error handler's complaints of a code its route does not declare. */
function undeclaredCodesLogger(found: string[]): pino.Logger {
  return pino(
    { level: 'error' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg?: string; route?: string; code?: string };
        const seen = `${entry.route} → ${entry.code}`;
        if (entry.msg === UNDECLARED && !found.includes(seen)) found.push(seen);
      },
    },
  );
}

/**
 * A database with no tables yet, for the tests that run migrations themselves: a schema of its own
 * in TEST_DATABASE_URL's PostgreSQL, else a new SQLite file. `close` drops what it made.
 */
export async function openEmptyDatabase(): Promise<{ db: Database; close(): Promise<void> }> {
  const pgUrl = process.env.TEST_DATABASE_URL || undefined;
  const schema = `jawth_test_${crypto.randomBytes(6).toString('hex')}`;
  let db: Database;
  if (pgUrl) {
    await adminQuery(pgUrl, `CREATE SCHEMA ${schema}`);
    db = openDatabase(pgUrl, { searchPath: schema, timeouts: { connect: 5, statement: 0 } });
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-empty-'));
    db = openDatabase(`sqlite:${path.join(dir, 'jawth.sqlite')}`);
  }
  await prepareDatabase(db);
  return {
    db,
    async close() {
      await db.close();
      if (pgUrl) await adminQuery(pgUrl, `DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

/** Runs one statement on its own connection (CREATE/DROP SCHEMA or DATABASE). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// The clock of the latest context (one per test file): admin tokens are dated by it, so that a
// test that moves time forward still signs fresh admin requests.
let activeClock: Clock | undefined;

export interface AdminTokenOptions {
  data?: unknown;
  method?: string;
  path?: string;
  /** Seconds until exp; null leaves exp out. */
  ttl?: number | null;
  password?: string;
  secret?: string;
  claims?: Record<string, unknown>;
}

/** A JaWTh signed admin request token. */
export function adminToken(options: AdminTokenOptions = {}): string {
  const iat = Math.floor((activeClock?.now() ?? new Date()).getTime() / 1000);
  return signToken(
    {
      password: options.password ?? JAWTH_KEY,
      ...(options.data === undefined ? {} : { data: options.data }),
      ...(options.method ? { htm: options.method } : {}),
      ...(options.path ? { htu: options.path } : {}),
      iat,
      ...(options.ttl === null ? {} : { exp: iat + (options.ttl ?? 60) }),
      ...options.claims,
    },
    options.secret ?? SECRET_KEY,
  );
}

/** Sends an admin request through HTTP with its data signed, bound to method, path and query. */
export function admin(app: Express, method: 'get' | 'post' | 'patch' | 'delete', path: string, data?: unknown) {
  const token = adminToken({ data, method: method.toUpperCase(), path });
  return request(app)[method](path).set('auth', `jwt ${token}`);
}

import cluster from 'node:cluster';
import path from 'node:path';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Database } from './db/database';
import { createApp } from './app';
import { buildDeps, closeDeps } from './build-deps';
import { announceFirstRun } from './first-run';
import { runPrimary } from './cluster';
import { ConfigError, parseConfig, type Config } from './config/config';
import { writeEnvFile } from './config/env-file';
import { findDotenv, loadConfigSources } from './config/sources';
import { assertMigrated, migrateUp, NotMigrated } from './db/migrator';
import { loggedLockRetry } from './db/migration-step';
import { migrationTimeoutsOf, openDatabase, prepareDatabase, timeoutsOf } from './db/sequelize';
import { gracefulCloser } from './http/graceful-close';
import { dummyHash } from './crypto/password';
import { createLogger } from './logger';
import { reportUnopenedSecrets } from './services/application.service';
import { startMaintenance } from './workers/maintenance.worker';
import { startWebhookWorker } from './workers/webhook.worker';
import { startMailOutbox } from './workers/mail-outbox.worker';

/**
 * Loads the configuration. On a fresh machine (no keys anywhere, no .env) it writes a .env with
 * fresh keys first and says where, so that one command starts a working server.
 */
export function loadConfig(): Config {
  let sources = loadConfigSources();
  if (!sources.values.SECRET_KEY && !sources.values.JAWTH_KEY && !findDotenv()) {
    const envFile = path.resolve('.env');
    writeEnvFile(envFile);
    process.stderr.write(`jawth: first start: wrote fresh SECRET_KEY and JAWTH_KEY to ${envFile} (mode 0600)\n`);
    sources = loadConfigSources();
  }
  try {
    return { ...parseConfig(sources.values), readFrom: sources.readFrom };
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError([...error.problems, `(settings read from ${sources.readFrom})`]);
    throw error;
  }
}

/** config → database → migrations → app → listen; SIGTERM/SIGINT close gracefully. */
export async function start(config: Config): Promise<Server> {
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const deps = await buildDeps(config, { db: await openMigrated(config, logger), logger });
  await dummyHash(config.bcryptCost);
  if (!(await deps.limiter.ready()))
    logger.warn('Redis did not answer at start: login rate limits are per process for now');
  void reportUnopenedSecrets(deps);
  const app = createApp(deps);
  const stopMaintenance = startMaintenance(deps);
  // Every process delivers: each delivery is claimed by one of them (docs/api.md, Webhooks).
  const webhooks = startWebhookWorker(deps);
  // Every process retries mails the SMTP server did not take; each is claimed by one of them.
  const mails = startMailOutbox(deps);
  const server = app.listen(config.port, config.host);
  const closer = gracefulCloser(server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second signal (a supervisor signalling the whole process group) must not cut the drain short.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stopMaintenance();
    // Cuts the deliveries in flight (given back untried, for another process or the next start).
    const stoppedWebhooks = Promise.all([webhooks.stop(), mails.stop()]);
    const result = await closer.close(config.shutdownTimeout * 1000);
    await stoppedWebhooks;
    if (!result.drained) {
      logger.error(
        { open: result.open, inFlight: result.inFlight },
        `could not drain within ${config.shutdownTimeout}s: ${result.inFlight} requests unanswered, exiting 1`,
      );
      process.exit(1);
    }
    // Mails started after an answer finish too (each bounded by the SMTP timeouts), within SHUTDOWN_TIMEOUT.
    const waited = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeout * 1000).unref());
    await Promise.race([deps.background.idle(), waited]);
    await closeDeps(deps);
    logger.info('drained: every request answered');
    process.exit(0);
  };
  // Before anything else is awaited: a SIGTERM during the first-run announcement still drains.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const where = `http://${config.host}:${(server.address() as { port: number }).port}`;
  logger.info(
    { url: where, database: describeDatabase(config.databaseUrl), settings: config.readFrom ?? 'the environment' },
    `jawth listening on ${where}`,
  );
  // With WORKERS > 1 the primary prints the setup link, once for all its workers.
  if (!cluster.isWorker) await announceFirstRun(where, logger, deps);
  return server;
}

/**
 * Opens the database for serving, applying pending migrations first (MIGRATE_ON_START).
 * DATABASE_STATEMENT_TIMEOUT bounds requests, not migrations (an index on a big table takes its
 * time): on PostgreSQL they run on a connection of their own without it. SQLite has no statement
 * timeout, and an in-memory database must be migrated on the connection that serves it.
 */
async function openMigrated(config: Config, logger: Logger): Promise<Database> {
  const report = (applied: string[]) => {
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  };
  if (config.migrateOnStart && config.databaseUrl.startsWith('postgres')) {
    const migrating = openDatabase(config.databaseUrl, { timeouts: migrationTimeoutsOf(config) });
    try {
      report(
        await migrateUp(migrating, config.databaseUrl, { retry: loggedLockRetry(logger), secretKey: config.secretKey }),
      );
    } finally {
      await migrating.close();
    }
  }
  const db = openDatabase(config.databaseUrl, { timeouts: timeoutsOf(config) });
  await prepareDatabase(db);
  if (config.migrateOnStart && db.getDialect() === 'sqlite')
    report(await migrateUp(db, config.databaseUrl, { secretKey: config.secretKey }));
  else if (!config.migrateOnStart) await assertMigratedIfReachable(db, logger);
  return db;
}

/**
 * Without MIGRATE_ON_START, a database that answers must be migrated (else: say to run `jawth
 * migrate`); one that does not answer yet is served anyway, answering 503 until it does.
 */
async function assertMigratedIfReachable(db: Database, logger: Logger): Promise<void> {
  try {
    await assertMigrated(db);
  } catch (error) {
    if (error instanceof NotMigrated) throw error;
    logger.warn({ err: error }, 'could not check the schema: the database does not answer yet');
  }
}

/** Runs the server: one process, or with WORKERS > 1 a cluster primary and its workers. */
export async function serve(config: Config): Promise<void> {
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config);
  // A worker's primary applied the migrations already.
  await start(cluster.isWorker ? { ...config, migrateOnStart: false } : config);
}

/** The database's kind and place, without credentials. */
function describeDatabase(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

if (require.main === module) {
  try {
    void serve(loadConfig()).catch((error: unknown) => {
      process.stderr.write(`jawth: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  } catch (error) {
    process.stderr.write(error instanceof ConfigError ? `jawth: ${error.message}\n` : `jawth: ${String(error)}\n`);
    process.exit(1);
  }
}

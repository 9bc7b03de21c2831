import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from './config/config';
import { migrateUp } from './db/migrator';
import { loggedLockRetry } from './db/migration-step';
import { migrationTimeoutsOf, openDatabase, prepareDatabase } from './db/sequelize';
import { announceFirstRun } from './first-run';
import { closeStore } from './services/deps';
import { openDeps } from './services/open-deps';
import { createLogger } from './logger';

/** A crashed worker is replaced after 1 s, then 2, 4, ... up to 30 s while crashes keep coming. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
/** So many crashes within CRASH_WINDOW_MS and the primary gives up, for its supervisor to see. */
const CRASH_WINDOW_MS = 60_000;
const crashLimit = (workers: number) => Math.max(5, workers);

/**
 * WORKERS > 1, like gunicorn's --workers: the primary applies migrations once, forks the workers
 * and replaces any that dies, with backoff; a crash loop makes it exit 1. SIGTERM or SIGINT
 * drains the workers, then the primary exits: 0, or 1 when a worker did not drain.
 */
export async function runPrimary(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  if (!config.redisUrl) {
    logger.warn('WORKERS > 1 without REDIS_URL: each worker keeps its own login rate-limit counters');
  }
  if (config.migrateOnStart) {
    const db = openDatabase(config.databaseUrl, { timeouts: migrationTimeoutsOf(config) });
    try {
      await prepareDatabase(db);
      const applied = await migrateUp(db, config.databaseUrl, {
        retry: loggedLockRetry(logger),
        secretKey: config.secretKey,
      });
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    } finally {
      await db.close();
    }
  }
  // The workers accept connections themselves from the shared socket. With node's default
  // round-robin the primary accepts and hands each connection over; a worker killed at that
  // moment took the hand-over with it and the primary kept the connection open, unread, until
  // the client gave up.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Workers read the same configuration; these keys make them agree with the primary's choices.
  const env = { PORT: String(config.port), WORKERS: String(config.workers), MIGRATE_ON_START: 'false' };
  const live = new Set<Worker>();
  let crashes: number[] = [];
  let stopping = false;
  let failed = false;

  const stop = (exitCode: number) => {
    stopping = true;
    failed ||= exitCode !== 0;
    if (live.size === 0) process.exit(failed ? 1 : 0);
    for (const worker of live) worker.process.kill('SIGTERM');
    const within = config.shutdownTimeout + 5;
    setTimeout(() => {
      // A worker past its own drain deadline may still be held by the thread pool (a bcrypt hash
      // must finish before its process can end): it is killed, and named.
      for (const worker of live) {
        logger.error({ workerPid: worker.process.pid }, `worker ${worker.process.pid} did not drain (killed)`);
        worker.process.kill('SIGKILL');
      }
      logger.error({ workers: live.size }, `workers did not stop within ${within}s: exiting 1`);
      process.exit(1);
    }, within * 1000).unref();
  };

  const fork = () => {
    const worker = cluster.fork(env);
    const pid = worker.process.pid;
    live.add(worker);
    logger.info({ worker: worker.id, workerPid: pid }, 'worker started');
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping) {
        if (code !== 0) {
          failed = true;
          logger.error({ workerPid: pid, code, signal }, `worker ${pid} did not drain (exit ${signal ?? code})`);
        }
        if (live.size === 0) process.exit(failed ? 1 : 0);
        return;
      }
      const now = Date.now();
      crashes = [...crashes.filter((at) => now - at < CRASH_WINDOW_MS), now];
      if (crashes.length >= crashLimit(config.workers)) {
        logger.fatal(
          { workerPid: pid, code, signal, crashes: crashes.length },
          `workers crashed ${crashes.length} times within ${CRASH_WINDOW_MS / 1000}s: giving up, exiting 1`,
        );
        stop(1);
        return;
      }
      const delay = Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * 2 ** (crashes.length - 1));
      logger.warn(
        { workerPid: pid, code, signal, delayMs: delay },
        `worker died; starting another in ${delay / 1000}s`,
      );
      setTimeout(() => {
        if (!stopping) fork();
      }, delay);
    });
  };
  cluster.once('listening', (_worker, address) => {
    announceFirstRunOnce(config, `http://${config.host}:${address.port}`, logger).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not check for admin accounts: the database did not answer');
    });
  });
  for (let i = 0; i < config.workers; i++) fork();
  logger.info({ workers: config.workers }, 'jawth primary started');

  const shutdown = (signal: string) => {
    if (stopping) return;
    logger.info({ signal }, 'stopping workers');
    stop(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** The primary has no database of its own while serving: it opens one for the setup link. */
async function announceFirstRunOnce(config: Config, where: string, logger: Logger): Promise<void> {
  const deps = await openDeps(config, { logger });
  try {
    await announceFirstRun(where, logger, deps);
  } finally {
    await closeStore(deps);
  }
}

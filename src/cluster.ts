import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config/config';
import { migrateUp } from './db/migrator';
import { openDatabase, prepareDatabase } from './db/sequelize';
import { createLogger } from './logger';

/** A crashed worker is replaced after this pause, so that a worker failing at start cannot spin the CPU. */
const RESTART_DELAY_MS = 1000;

/**
 * WORKERS > 1, like gunicorn's --workers: the primary applies migrations once, forks the workers
 * (which share the listening port through node:cluster) and replaces any that dies. SIGTERM or
 * SIGINT stops the workers gracefully, then the primary.
 */
export async function runPrimary(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  if (!config.redisUrl) {
    logger.warn('WORKERS > 1 without REDIS_URL: each worker keeps its own login rate-limit counters');
  }
  if (config.migrateOnStart) {
    const db = openDatabase(config.databaseUrl);
    try {
      await prepareDatabase(db);
      const applied = await migrateUp(db, config.databaseUrl);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    } finally {
      await db.close();
    }
  }
  // Workers read the same configuration; these keys make them agree with the primary's choices.
  const env = { PORT: String(config.port), WORKERS: String(config.workers), MIGRATE_ON_START: 'false' };
  const live = new Set<Worker>();
  let stopping = false;
  const fork = () => {
    const worker = cluster.fork(env);
    live.add(worker);
    logger.info({ worker: worker.id, workerPid: worker.process.pid }, 'worker started');
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping) {
        if (live.size === 0) process.exit(0);
        return;
      }
      logger.warn({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
      setTimeout(() => {
        if (!stopping) fork();
      }, RESTART_DELAY_MS);
    });
  };
  for (let i = 0; i < config.workers; i++) fork();
  logger.info({ workers: config.workers }, 'jawth primary started');

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping workers');
    stopping = true;
    if (live.size === 0) process.exit(0);
    for (const worker of live) worker.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

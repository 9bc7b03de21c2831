import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config/config';
import { migrateUp } from './db/migrator';
import { openDatabase, prepareDatabase } from './db/sequelize';
import { createLogger } from './logger';

/**
 * WORKERS=N (gunicorn's --workers): this primary process migrates once, then forks N workers
 * that share the port and each run `start()`. A worker that dies is replaced; SIGTERM/SIGINT
 * are passed to every worker, which finish their requests, and the primary exits when all
 * have. Rate-limit counters are per process unless REDIS_URL is set.
 */
export async function runCluster(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel).child({ role: 'primary' });
  if (!config.redisUrl) {
    logger.warn('WORKERS > 1 without REDIS_URL: each worker keeps its own login rate-limit counters');
  }
  if (config.migrateOnStart) {
    const db = openDatabase(config.databaseUrl);
    await prepareDatabase(db);
    const applied = await migrateUp(db, config.databaseUrl);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    await db.close();
  }

  let stopping = false;
  const live = new Set<Worker>();
  const fork = (): Worker => {
    const worker = cluster.fork({ MIGRATE_ON_START: 'false' });
    live.add(worker);
    logger.info({ worker: worker.id, workerPid: worker.process.pid }, 'worker started');
    return worker;
  };
  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    if (stopping) {
      if (live.size === 0) process.exit(0);
      return;
    }
    logger.warn({ worker: worker.id, workerPid: worker.process.pid, code, signal }, 'worker died; starting another');
    fork();
  });
  for (let i = 0; i < config.workers; i++) fork();

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down the workers');
    for (const worker of live) worker.process.kill(signal);
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

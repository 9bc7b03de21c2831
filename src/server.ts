import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { createApp } from './app';
import { runCluster } from './cluster';
import { ConfigError, parseConfig, type Config } from './config/config';
import { writeEnvFile } from './config/env-file';
import { readConfigSources } from './config/sources';
import { migrateUp } from './db/migrator';
import { openDatabase, prepareDatabase } from './db/sequelize';
import { createLogger } from './logger';
import { pruneAudit } from './services/audit.service';
import { systemClock } from './services/deps';
import { createLoginLimiter } from './services/login-limiter';

/**
 * Loads the configuration. On a fresh machine (no keys anywhere, no .env) it writes a .env with
 * fresh keys first and says where, so that one command starts a working server.
 */
export function loadConfig(): Config {
  let raw = readConfigSources();
  const envFile = path.resolve('.env');
  if (!raw.SECRET_KEY && !raw.JAWTH_KEY && !fs.existsSync(envFile)) {
    writeEnvFile(envFile);
    process.stderr.write(`jawth: first start: wrote fresh SECRET_KEY and JAWTH_KEY to ${envFile} (mode 0600)\n`);
    raw = readConfigSources();
  }
  return parseConfig(raw);
}

/** config → database → migrations → app → listen; SIGTERM/SIGINT close gracefully. */
export async function start(config: Config): Promise<Server> {
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.databaseUrl);
  await prepareDatabase(db);
  if (config.migrateOnStart) {
    const applied = await migrateUp(db, config.databaseUrl);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  const limiter = createLoginLimiter(config, logger);
  if (!(await limiter.ready())) logger.warn('Redis did not answer at start: login rate limits are per process for now');
  const app = createApp({ db, config, clock: systemClock, logger, limiter });
  const prune = () =>
    pruneAudit({ clock: systemClock, config }).then(
      (removed) => removed > 0 && logger.info({ removed }, 'audit log pruned'),
      (error: unknown) => logger.warn({ err: error }, 'could not prune the audit log'),
    );
  void prune();
  const pruning = setInterval(prune, 3600_000);
  pruning.unref();
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const where = `http://${config.host}:${(server.address() as { port: number }).port}`;
  logger.info({ url: where, database: describeDatabase(config.databaseUrl) }, `jawth listening on ${where}`);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    clearInterval(pruning);
    server.close(() => {
      void Promise.allSettled([limiter.close(), db.close()]).finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return server;
}

/** The database's kind and place, without credentials. */
function describeDatabase(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

if (require.main === module) {
  try {
    const config = loadConfig();
    const run = config.workers > 1 && cluster.isPrimary ? runCluster(config) : start(config);
    void run.catch((error: unknown) => {
      process.stderr.write(`jawth: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  } catch (error) {
    process.stderr.write(error instanceof ConfigError ? `jawth: ${error.message}\n` : `jawth: ${String(error)}\n`);
    process.exit(1);
  }
}

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import Redis from 'ioredis';
import { Client } from 'pg';

/**
 * `npm run test:all` (JAWTH_TEST_ALL=1) adds suites that need outside services. Before any of
 * them runs, this says in one line per missing service what to start or install, rather than
 * letting each suite fail with a driver's error.
 */
async function missing(): Promise<string[]> {
  const lines: string[] = [];
  const pgUrl = process.env.TEST_DATABASE_URL;
  if (pgUrl) {
    const client = new Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
    } catch (error) {
      lines.push(
        `PostgreSQL at ${pgUrl} does not answer (${String(error)}): start it, or run with TEST_DATABASE_URL= for SQLite only`,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // the refusal is reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    lines.push(`Redis at ${redisUrl} does not answer: start redis-server (or set TEST_REDIS_URL)`);
  } finally {
    redis.disconnect();
  }
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium))
    lines.push(`Chromium is not at ${chromium}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const pythons = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter((bin): bin is string => Boolean(bin));
  if (!pythons.some((bin) => spawnSync(bin, ['-c', 'import jwt']).status === 0)) {
    lines.push('PyJWT is missing: apt-get install -y python3-jwt (or set PYTHON to a python3 that has it)');
  }
  for (const tool of ['curl', 'jq']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      lines.push(`${tool} is missing (the docs' shell examples use it): apt-get install -y ${tool}`);
  }
  return lines;
}

export default async function servicesCheck(): Promise<void> {
  if (!process.env.JAWTH_TEST_ALL) return;
  const lines = await missing();
  if (lines.length > 0) throw new Error(`npm run test:all needs:\n${lines.map((line) => `  - ${line}`).join('\n')}`);
}

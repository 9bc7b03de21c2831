import path from 'node:path';
import sqlite3 from 'sqlite3';
import { openSqlite } from '../../src/db/sqlite-file';
import { runNode, type CliResult } from './cli';
import { adminToken } from './context';
import { GOOD_PASSWORD } from './factories';

/** One of the repository's scripts (scripts/), run as an operator runs it; only PATH leaks in. */
export const runScript = (
  name: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliResult> => runNode(path.resolve(__dirname, '../../scripts', name), args, cwd, env);

/** A signed admin POST to a running server; throws unless it answers 201. */
export async function adminPost(base: string, path: string, data: unknown): Promise<void> {
  const answer = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { auth: `jwt ${adminToken({ data, method: 'POST', path })}` },
  });
  if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${await answer.text()}`);
}

/** POSTs a login; the status. */
export async function loginStatus(base: string, app: string, username: string): Promise<number> {
  const answer = await fetch(`${base}/${app}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: GOOD_PASSWORD }),
  });
  await answer.arrayBuffer();
  return answer.status;
}

/** The rows a query gives on a SQLite file, read-only. */
export async function sqliteRows<T>(file: string, sql: string): Promise<T[]> {
  const db = await openSqlite(file, sqlite3.OPEN_READONLY);
  try {
    return await db.all<T>(sql);
  } finally {
    await db.close();
  }
}

/** Keeps `clients` refresh-token rotations going on `app` until `stop()`; counts the successes. */
export function keepRotating(base: string, app: string, username: string, clients: number) {
  let running = true;
  let rotations = 0;
  const failures: string[] = [];
  const loops = Array.from({ length: clients }, async () => {
    const login = await fetch(`${base}/${app}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: GOOD_PASSWORD }),
    });
    let { refresh_token: token } = (await login.json()) as { refresh_token: string };
    while (running) {
      const answer = await fetch(`${base}/${app}/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      });
      const body = (await answer.json()) as { refresh_token?: string };
      if (answer.status !== 200 || !body.refresh_token) {
        failures.push(`${answer.status} ${JSON.stringify(body)}`);
        return;
      }
      token = body.refresh_token;
      rotations += 1;
    }
  });
  return {
    rotations: () => rotations,
    async stop() {
      running = false;
      await Promise.all(loops);
      return { rotations, failures };
    },
  };
}

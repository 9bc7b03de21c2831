import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listeningUrls, startServer, waitFor } from '../helpers/cli';
import { JAWTH_KEY, SECRET_KEY, adminQuery, adminToken } from '../helpers/context';
import { GOOD_PASSWORD } from '../helpers/factories';

// Two jawth processes on one PostgreSQL database and one Redis.
const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const database = `jawth_two_${crypto.randomBytes(5).toString('hex')}`;
const pg = (sql: string) => adminQuery(PG_URL, sql);

interface Instance {
  child: ChildProcess;
  url: string;
}

async function startInstance(databaseUrl: string): Promise<Instance> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-two-'));
  const server = startServer(dir, {
    PORT: '0',
    SECRET_KEY,
    JAWTH_KEY,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    LOGIN_MAX_FAILURES: '3',
    // The machine's Redis outlives this run, and every run's guesses come from 127.0.0.1: the
    // per-IP ceiling (not under test here) must not carry one run's failures into the next.
    LOGIN_MAX_FAILURES_PER_IP: '100000',
    // A burst of 40 at once tests the shared counters, not the admission (tests/api/login-admission.test.ts).
    LOGIN_QUEUE_MAX: '1000',
    BCRYPT_COST: '10',
  });
  await waitFor(() => listeningUrls(server.output()).length > 0 || server.child.exitCode !== null, 20000);
  const url = listeningUrls(server.output())[0];
  if (!url) throw new Error(`instance did not start: ${server.output()}`);
  return { child: server.child, url };
}

const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

function adminCall(base: string, method: string, path: string, data?: unknown) {
  const token = adminToken({ data, method, path });
  return fetch(`${base}${path}`, { method, headers: { auth: `jwt ${token}` } });
}

let a: Instance;
let b: Instance;
beforeAll(async () => {
  await pg(`CREATE DATABASE ${database}`);
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  // Started together: the migration advisory lock lets one migrate while the other waits.
  [a, b] = await Promise.all([startInstance(url.toString()), startInstance(url.toString())]);
});
afterAll(async () => {
  for (const instance of [a, b]) {
    if (!instance || instance.child.exitCode !== null) continue;
    const exit = new Promise((resolve) => instance.child.once('exit', resolve));
    instance.child.kill('SIGTERM');
    await exit;
  }
  await pg(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('two jawth instances on one PostgreSQL and one Redis', () => {
  it('share lockouts, tokens and revocations', async () => {
    const appName = `two-${crypto.randomBytes(4).toString('hex')}`;
    expect((await adminCall(a.url, 'POST', '/applications', { name: appName })).status).toBe(201);
    for (const username of ['victim', 'alice']) {
      const created = await adminCall(b.url, 'POST', `/${appName}/users`, { username, password: GOOD_PASSWORD });
      expect(created.status).toBe(201);
    }

    // A lockout earned on A holds on B.
    for (let i = 0; i < 3; i++) {
      expect((await post(a.url, `/${appName}/login`, { username: 'victim', password: 'wrong-password' })).status).toBe(
        401,
      );
    }
    const locked = await post(b.url, `/${appName}/login`, { username: 'victim', password: GOOD_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBeTruthy();

    // A token issued by A verifies on B.
    const login = (await (
      await post(a.url, `/${appName}/login`, { username: 'alice', password: GOOD_PASSWORD })
    ).json()) as {
      token: string;
    };
    const fresh = 'fresh-horse-battery-5';
    const changed = await post(
      b.url,
      `/${appName}/alice/change_password`,
      { password: fresh, repeated_password: fresh },
      { auth: `jwt ${login.token}` },
    );
    expect(changed.status).toBe(200);
    const session = (await changed.json()) as { token: string };

    // A revocation on A is seen by B.
    expect((await adminCall(a.url, 'DELETE', `/${appName}/users/alice/sessions`)).status).toBe(204);
    const again = await post(
      b.url,
      `/${appName}/alice/change_password`,
      { password: 'other-horse-battery-6', repeated_password: 'other-horse-battery-6' },
      { auth: `jwt ${session.token}` },
    );
    expect(again.status).toBe(401);
  });

  it('give a burst of 40 guesses split over both, the right one last, 3 password checks in all and no success', async () => {
    const appName = `burst-${crypto.randomBytes(4).toString('hex')}`;
    expect((await adminCall(a.url, 'POST', '/applications', { name: appName })).status).toBe(201);
    const user = { username: 'target', password: GOOD_PASSWORD };
    expect((await adminCall(a.url, 'POST', `/${appName}/users`, user)).status).toBe(201);
    const guesses = [...Array.from({ length: 39 }, (_, i) => `wrong-password-${i}`), GOOD_PASSWORD];

    const statuses = await Promise.all(
      guesses.map(async (password, i) => {
        const res = await post(i % 2 ? b.url : a.url, `/${appName}/login`, { username: 'target', password });
        await res.arrayBuffer();
        return res.status;
      }),
    );

    expect(statuses.filter((s) => s === 200)).toHaveLength(0);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(37);
  });
});

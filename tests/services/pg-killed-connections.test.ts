import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, listeningUrls, startServer, waitFor, type Running } from '../helpers/cli';
import { JAWTH_KEY, SECRET_KEY, adminToken } from '../helpers/context';
import { GOOD_PASSWORD } from '../helpers/factories';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres';

// PostgreSQL terminating jawth's connections under traffic (pg_terminate_backend, an operator or
// a failover proxy doing the same): each broken connection is one request answered 503 and is
// dropped from the pool; the process never ends on it. Its own PostgreSQL: the killing would
// hit every other suite on the machine's shared one.

const post = (base: string, route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20000),
  });

function adminPost(base: string, route: string, data: unknown) {
  return post(base, route, data, { auth: `jwt ${adminToken({ data, method: 'POST', path: route })}` });
}

let pg: PrivatePostgres;
let server: Running;
let base: string;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  const client = await pg.connect();
  await client.query('CREATE DATABASE jawth');
  await client.end();
  server = startServer(fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-pgkill-')), {
    PORT: '0',
    SECRET_KEY,
    JAWTH_KEY,
    BCRYPT_COST: '10',
    DATABASE_URL: pg.url('jawth'),
    LOGIN_MAX_FAILURES: '1000',
    LOGIN_MAX_FAILURES_PER_IP: '100000',
    // Mixed traffic under fault, not the admission of password checks.
    LOGIN_QUEUE_MAX: '1000',
  });
  await waitFor(() => listeningUrls(server.output()).length > 0 || server.child.exitCode !== null, 30000);
  base = listeningUrls(server.output())[0];
  if (!base) throw new Error(`jawth did not start: ${server.output()}`);
}, 60000);

afterAll(async () => {
  if (server?.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await exited(server.child);
  }
  await pg?.stop();
});

describe('PostgreSQL terminating the connections of a serving jawth every ~120 ms', () => {
  it('costs some requests a 503 with Retry-After, never a 500 or the process; it serves 200 afterwards', async () => {
    expect((await adminPost(base, '/applications', { name: 'killed' })).status).toBe(201);
    expect((await adminPost(base, '/killed/users', { username: 'ann', password: GOOD_PASSWORD })).status).toBe(201);
    const first = await post(base, '/killed/login', { username: 'ann', password: GOOD_PASSWORD });
    expect(first.status).toBe(200);
    const refreshToken = ((await first.json()) as { refresh_token: string }).refresh_token;

    const killer = await pg.connect();
    let killing = true;
    let kills = 0;
    const killed = (async () => {
      while (killing) {
        const { rows } = await killer.query(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
            WHERE pid <> pg_backend_pid() AND datname = 'jawth'`,
        );
        kills += rows.filter((row: { done: boolean }) => row.done).length;
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
    })();

    const answers = new Map<number, number>();
    const wrong: string[] = [];
    const requests = [
      () => post(base, '/killed/login', { username: 'ann', password: GOOD_PASSWORD }),
      () => post(base, '/killed/login', { username: 'ann', password: 'not-the-password-1' }),
      () => post(base, '/token/access', { namespace: 'killed', refresh_token: refreshToken }),
      () => fetch(`${base}/ready`, { signal: AbortSignal.timeout(20000) }),
    ];
    const end = Date.now() + 8000;
    const traffic = Promise.all(
      Array.from({ length: 6 }, async (_, lane) => {
        for (let i = lane; Date.now() < end && server.child.exitCode === null; i++) {
          const answer = await requests[i % requests.length]().catch((error: unknown) => String(error));
          if (typeof answer === 'string') {
            wrong.push(`no answer: ${answer}`);
            continue;
          }
          answers.set(answer.status, (answers.get(answer.status) ?? 0) + 1);
          const text = await answer.text();
          if (answer.status === 503) {
            if (!/^\d+$/.test(answer.headers.get('retry-after') ?? '')) wrong.push(`503 without Retry-After`);
            if (JSON.parse(text).error !== 'service_unavailable') wrong.push(`503: ${text}`);
          } else if (![200, 401].includes(answer.status)) wrong.push(`${answer.status}: ${text}`);
        }
      }),
    );
    await traffic.finally(() => (killing = false));
    await killed;
    await killer.end();

    expect(server.output()).not.toMatch(/Unhandled 'error' event/);
    expect(server.child.exitCode).toBeNull();
    expect(wrong).toEqual([]);
    expect(kills).toBeGreaterThan(20);
    expect(answers.get(200)).toBeGreaterThan(0);
    // Afterwards every request is served again: no broken connection stayed in the pool.
    for (let i = 0; i < 12; i++) {
      const answer = await post(base, '/killed/login', { username: 'ann', password: GOOD_PASSWORD });
      expect(answer.status).toBe(200);
    }
    console.log(`answers while killing (${kills} backends killed):`, Object.fromEntries(answers));
  }, 60000);

  it('a PostgreSQL restart: 503 while it is down, 200 again within seconds of its return, the same process', async () => {
    const loginOnce = () => post(base, '/killed/login', { username: 'ann', password: GOOD_PASSWORD });
    const pid = server.child.pid;
    await pg.restart(async () => {
      const answer = await loginOnce();
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    });
    const backAt = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - backAt < 10000) {
      status = (await loginOnce()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect(Date.now() - backAt).toBeLessThan(3000);
    expect(server.child.exitCode).toBeNull();
    expect(server.child.pid).toBe(pid);
  }, 60000);
});

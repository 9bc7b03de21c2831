import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, listeningUrls, startServer, waitFor, type Running } from '../helpers/cli';
import { JAWTH_KEY, SECRET_KEY } from '../helpers/context';

// Servers started at the same moment on a new SQLite file: one migrates, the others wait for its
// file lock and find nothing left to do (without the lock one of them failed with "index ...
// already exists" in 6 of 15 tries).
const SERVERS = 3;
const ROUNDS = 3;
const running: Running[] = [];

afterEach(() => {
  for (const server of running.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), ms).unref())]);

describe('several servers started together on a new SQLite file', () => {
  it(`all ${SERVERS} start, serve and exit 0 on SIGTERM, ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-migrate-race-'));
      const env = {
        PORT: '0',
        SECRET_KEY,
        JAWTH_KEY,
        BCRYPT_COST: '10',
        DATABASE_URL: `sqlite:${path.join(dir, 'data', 'jawth.sqlite')}`,
      };
      const servers = Array.from({ length: SERVERS }, () => startServer(dir, env));
      running.push(...servers);

      await waitFor(
        () => servers.every((s) => listeningUrls(s.output()).length === 1 || s.child.exitCode !== null),
        30000,
      );
      for (const server of servers) {
        // A server that stopped shows its output in the failure.
        expect(server.child.exitCode === null ? 'running' : server.output()).toBe('running');
        expect((await fetch(`${listeningUrls(server.output())[0]}/health`)).status).toBe(200);
      }
      // Exactly one of them applied the migrations.
      expect(servers.filter((s) => /migrations applied/.test(s.output()))).toHaveLength(1);

      for (const server of servers) server.child.kill('SIGTERM');
      expect(await Promise.all(servers.map((s) => within(exited(s.child), 15000)))).toEqual(Array(SERVERS).fill(0));
      expect(fs.existsSync(path.join(dir, 'data', 'jawth.sqlite.lock'))).toBe(false);
    }
  }, 120000);
});

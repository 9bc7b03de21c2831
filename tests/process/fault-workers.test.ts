import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, listeningUrls, startServer, waitFor, type Running } from '../helpers/cli';
import { JAWTH_KEY, SECRET_KEY } from '../helpers/context';
import { quidAccessBody, runLoad } from '../helpers/load';

// Faults of WORKERS=2: a worker killed under traffic, and workers that crash again and again.
const running: Running[] = [];

function start(env: Record<string, string>): Running {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-workers-'));
  const server = startServer(dir, { PORT: '0', SECRET_KEY, JAWTH_KEY, BCRYPT_COST: '10', WORKERS: '2', ...env });
  running.push(server);
  return server;
}

afterEach(async () => {
  for (const server of running.splice(0)) {
    if (server.child.exitCode !== null) continue;
    server.child.kill('SIGTERM');
    if ((await Promise.race([exited(server.child), sleep(10000).then(() => 'late')])) === 'late') {
      server.child.kill('SIGKILL');
    }
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
const workerPids = (output: string) =>
  [...output.matchAll(/"workerPid":(\d+),"msg":"worker started"/g)].map((m) => Number(m[1]));

describe('WORKERS=2 faults', () => {
  it('when a worker is killed under traffic, every request is answered or fails fast, none hangs', async () => {
    const server = start({});
    await waitFor(() => listeningUrls(server.output()).length === 2, 20000);
    const base = listeningUrls(server.output())[0];
    const body = await quidAccessBody(base, 'crash');
    // A new connection per request: the moment a connection is being handed to a worker is hit often.
    const load = runLoad(`${base}/token/access`, body, { connections: 20, keepAlive: false, timeoutMs: 15000 });
    await waitFor(() => load.outcomes.filter((o) => o.status === 200).length >= 200, 20000);

    const [victim] = workerPids(server.output());
    process.kill(victim, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => /worker died; starting another/.test(server.output()), 10000);
    await waitFor(() => load.outcomes.some((o) => o.sentAt > killedAt + 2000 && o.status === 200), 20000);
    const outcomes = await load.stop();

    const slowest = Math.max(...outcomes.map((o) => o.endedAt - o.sentAt));
    expect(outcomes.filter((o) => o.error === 'CLIENT_TIMEOUT')).toEqual([]);
    expect(slowest).toBeLessThan(5000);
    // The survivor kept serving while the replacement started.
    expect(outcomes.filter((o) => o.sentAt > killedAt && o.status === 200).length).toBeGreaterThan(0);
  }, 60000);

  it('when workers keep crashing, the primary gives up: exit 1 with a log line saying so', async () => {
    // The workers cannot open their database (its folder would sit under a file); the primary,
    // with MIGRATE_ON_START=false, does not open it and keeps restarting them.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-crashloop-'));
    fs.writeFileSync(path.join(dir, 'not-a-folder'), '');
    const server = start({ MIGRATE_ON_START: 'false', DATABASE_URL: `sqlite:${dir}/not-a-folder/jawth.sqlite` });

    const code = await Promise.race([exited(server.child), sleep(40000).then(() => 'still running')]);
    expect(code).toBe(1);
    expect(server.output()).toMatch(/workers crashed \d+ times within 60s: giving up, exiting 1/);
    // It backed off between restarts rather than restarting at a fixed pace.
    expect(server.output()).toMatch(/starting another in 1s[\s\S]*starting another in 2s/);
    for (const pid of workerPids(server.output())) expect(() => process.kill(pid, 0)).toThrow();
  }, 60000);
});

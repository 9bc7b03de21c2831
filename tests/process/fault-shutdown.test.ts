import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, listeningUrls, startServer, waitFor, type Running } from '../helpers/cli';
import { JAWTH_KEY, SECRET_KEY } from '../helpers/context';
import { runLoad, quidAccessBody, type Outcome } from '../helpers/load';

// Fault: SIGTERM while 50 keep-alive connections keep /token/access busy.
const CONNECTIONS = 50;
const running: Running[] = [];

function start(env: Record<string, string>): Running {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-drain-'));
  const server = startServer(dir, { PORT: '0', SECRET_KEY, JAWTH_KEY, BCRYPT_COST: '10', ...env });
  running.push(server);
  return server;
}

afterEach(() => {
  for (const server of running.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

/** Loads the server, signals it mid-load, and returns what every request got. */
async function signalUnderLoad(server: Running, listening: number) {
  await waitFor(() => listeningUrls(server.output()).length === listening, 20000);
  const base = listeningUrls(server.output())[0];
  const body = await quidAccessBody(base, 'drain');
  const load = runLoad(`${base}/token/access`, body, { connections: CONNECTIONS });
  await waitFor(() => load.outcomes.filter((o) => o.status === 200).length >= 500, 20000);
  const signalAt = Date.now();
  server.child.kill('SIGTERM');
  const code = await Promise.race([
    exited(server.child),
    new Promise((r) => setTimeout(() => r('still running'), 20000).unref()),
  ]);
  const outcomes = await load.stop();
  return { code, signalAt, outcomes };
}

const describeOutcome = (o: Outcome) => o.error ?? String(o.status);
const tally = (outcomes: Outcome[]) =>
  outcomes.reduce<Record<string, number>>(
    (all, o) => ({ ...all, [describeOutcome(o)]: (all[describeOutcome(o)] ?? 0) + 1 }),
    {},
  );

describe('SIGTERM under keep-alive load', () => {
  it.each([
    ['one process', {}, 1],
    ['WORKERS=2', { WORKERS: '2' }, 2],
  ])(
    '%s: every request sent before the signal is answered 200, then the server exits 0',
    async (_name, env, listening) => {
      const server = start(env);
      const { code, signalAt, outcomes } = await signalUnderLoad(server, listening);

      const before = outcomes.filter((o) => o.sentAt < signalAt);
      const after = outcomes.filter((o) => o.sentAt >= signalAt);
      expect(tally(before)).toEqual({ '200': before.length });
      expect(code).toBe(0);
      // Requests answered during the drain told their client to close the connection.
      expect(outcomes.some((o) => o.endedAt >= signalAt && o.connection === 'close')).toBe(true);
      // After the signal a request is answered or refused at once, never left to hang.
      for (const o of after) expect(o.endedAt - o.sentAt).toBeLessThan(5000);
      expect(server.output()).not.toMatch(/did not drain|could not drain/);
    },
    60000,
  );
});

describe('a request that outlasts SHUTDOWN_TIMEOUT', () => {
  it.each([
    ['one process', {}, 1, /could not drain within 1s: 1 requests unanswered, exiting 1/],
    ['WORKERS=2', { WORKERS: '2' }, 2, /worker \d+ did not drain \((exit 1|killed)\)/],
  ])(
    '%s: exits 1 and says so',
    async (_name, env, listening, line) => {
      // bcrypt cost 15: a login takes over 2 s, longer than the 1 s allowed to drain.
      const server = start({ ...env, BCRYPT_COST: '15', SHUTDOWN_TIMEOUT: '1s' });
      await waitFor(() => listeningUrls(server.output()).length === listening, 30000);
      const slow = fetch(`${listeningUrls(server.output())[0]}/someapp/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody', password: 'not-the-password' }),
      }).catch(() => 'failed');
      await new Promise((resolve) => setTimeout(resolve, 300));
      server.child.kill('SIGTERM');
      expect(await exited(server.child)).toBe(1);
      expect(server.output()).toMatch(line);
      await slow;
    },
    60000,
  );
});

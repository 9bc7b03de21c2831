import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, startServer as startIn, waitFor as waitUpTo, type Running } from '../helpers/cli';

const KEYS = { SECRET_KEY: 'process-test-secret-key-at-least-32-bytes!', JAWTH_KEY: 'process-test-master' };

function startServer(env: Record<string, string>): Running {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-process-'));
  return startIn(dir, { PORT: '0', ...KEYS, ...env });
}

const waitFor = (check: () => boolean) => waitUpTo(check, 20000);

const url = (server: Running) => /jawth listening on (http:\/\/\S+)"/.exec(server.output())?.[1] as string;
const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
    // A high bcrypt cost makes a login for an unknown user take about a second: a slow request.
    const server = startServer({ BCRYPT_COST: '13' });
    await waitFor(() => /jawth listening on/.test(server.output()));
    const base = url(server);

    const slow = fetch(`${base}/someapp/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'not-the-password' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    await waitFor(() => /shutting down/.test(server.output()));

    await expect(fetch(`${base}/health`)).rejects.toThrow();
    const answer = await slow;
    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { error: string }).error).toBe('invalid_credentials');
    expect(await exited(server.child)).toBe(0);
  });
});

describe('WORKERS=2 (node:cluster)', () => {
  it('serves from two workers, replaces a worker that dies, and stops them all on SIGTERM', async () => {
    const server = startServer({ WORKERS: '2', BCRYPT_COST: '10' });
    await waitFor(() => count(server.output(), /jawth listening on/g) === 2);
    const pids = [...server.output().matchAll(/"workerPid":(\d+),"msg":"worker started"/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(2);
    expect((await fetch(`${url(server)}/health`)).status).toBe(200);

    process.kill(pids[0], 'SIGKILL');
    await waitFor(() => /worker died; starting another/.test(server.output()));
    await waitFor(() => count(server.output(), /jawth listening on/g) === 3);
    expect((await fetch(`${url(server)}/health`)).status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
    const started = [...server.output().matchAll(/"workerPid":(\d+),"msg":"worker started"/g)].map((m) => Number(m[1]));
    for (const pid of started) expect(() => process.kill(pid, 0)).toThrow();
  });
});

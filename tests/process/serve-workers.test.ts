import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, listeningUrls, runCli, startCli, waitFor } from '../helpers/cli';

const ENV = { BCRYPT_COST: '10', LOG_LEVEL: 'info' };

/** The pid of every worker that logged "jawth listening on". */
const workerPids = (output: string) =>
  [...output.matchAll(/"pid":(\d+)[^\n]*jawth listening on/g)].map((match) => Number(match[1]));

describe('jawth serve --workers (node:cluster)', () => {
  it('forks the workers on one port, replaces a dead one, and stops them all on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-workers-'));
    expect((await runCli(['conf'], dir, ENV)).code).toBe(0);
    const server = startCli(['serve', '--workers', '2', '--port', '0'], dir, ENV);
    try {
      await waitFor(() => workerPids(server.output()).length === 2);
      const [url, other] = listeningUrls(server.output());
      expect(other).toBe(url);
      expect((await fetch(`${url}/health`)).status).toBe(200);

      const [victim] = workerPids(server.output());
      process.kill(victim, 'SIGKILL');
      await waitFor(() => workerPids(server.output()).length === 3);
      expect(server.output()).toContain('worker died; starting another');
      expect((await fetch(`${url}/ready`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await exited(server.child)).toBe(0);
    expect(server.output()).not.toMatch(/migrations applied[\s\S]*migrations applied/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, startServer, waitFor } from '../helpers/cli';

describe('node dist/server.js (the production entry)', () => {
  it('on first start writes a private .env with fresh keys, migrates SQLite, serves, and stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-start-'));
    const server = startServer(dir, { PORT: '0', BCRYPT_COST: '10' });
    await waitFor(() => /jawth listening on (http:\/\/\S+)"/.test(server.output()));
    const url = /jawth listening on (http:\/\/\S+)"/.exec(server.output())?.[1];

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    const envFile = path.join(dir, '.env');
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(envFile, 'utf8')).toMatch(/^SECRET_KEY=[0-9a-f]{64}$/m);
    expect(fs.existsSync(path.join(dir, 'data', 'jawth.sqlite'))).toBe(true);
    expect(server.output()).toContain(`wrote fresh SECRET_KEY and JAWTH_KEY to ${envFile}`);
    await waitFor(() => server.output().includes('no admin account yet: run `npx jawth init`'));
    const secret = /^SECRET_KEY=(\S+)$/m.exec(fs.readFileSync(envFile, 'utf8'))?.[1] ?? 'missing';
    expect(server.output()).not.toContain(secret);

    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
  });

  it('refuses to start with invalid configuration, one line per problem', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-bad-'));
    const server = startServer(dir, { SECRET_KEY: 'short', JAWTH_KEY: 'long-enough-master', BCRYPT_COST: '99' });
    expect(await exited(server.child)).toBe(1);
    expect(server.output()).toMatch(/SECRET_KEY must be at least 32 bytes/);
    expect(server.output()).toMatch(/BCRYPT_COST/);
    expect(server.output()).not.toMatch(/at .+\.js:\d+/);
  });
});

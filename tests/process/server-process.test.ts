import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, listeningUrls, startServer, waitFor } from '../helpers/cli';

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
    // The start line names the file the settings came from.
    expect(server.output()).toContain(`"settings":"the environment and ${envFile}"`);
    await waitFor(() => server.output().includes('no admin account yet: open '));
    const secret = /^SECRET_KEY=(\S+)$/m.exec(fs.readFileSync(envFile, 'utf8'))?.[1] ?? 'missing';
    expect(server.output()).not.toContain(secret);

    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
  });

  it('logs each request as one compact line: JSON by default off a terminal, a short line with LOG_FORMAT=pretty', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-logs-'));
    const json = startServer(dir, { PORT: '0', BCRYPT_COST: '10' });
    await waitFor(() => listeningUrls(json.output()).length > 0);
    await fetch(`${listeningUrls(json.output())[0]}/health`, { headers: { Authorization: 'Bearer not-logged' } });
    await waitFor(() => json.output().includes('GET /health 200'));
    const line = json
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"GET /health 200'));
    const entry = JSON.parse(line ?? '{}') as Record<string, unknown>;
    expect(entry).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: expect.any(Number),
      hostname: expect.any(String),
      req: { id: expect.any(String), method: 'GET', url: '/health' },
      res: { status: 200 },
      responseTime: expect.any(Number),
      msg: expect.stringMatching(/^GET \/health 200 \d+ms$/),
    });
    expect(line).not.toContain('Bearer');
    json.child.kill('SIGTERM');
    expect(await exited(json.child)).toBe(0);

    const pretty = startServer(dir, { PORT: '0', BCRYPT_COST: '10', LOG_FORMAT: 'pretty' });
    await waitFor(() => /jawth listening on (http:\/\/\S+)/.test(pretty.output()));
    const url = /jawth listening on (http:\/\/\S+)/.exec(pretty.output())?.[1];
    await fetch(`${url}/health`);
    await waitFor(() => pretty.output().includes('GET /health 200'));
    expect(pretty.output()).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: GET \/health 200 \d+ms$/m);
    pretty.child.kill('SIGTERM');
    expect(await exited(pretty.child)).toBe(0);
  });

  it('on a fresh database prints the one-time setup link once, and its token creates the first admin', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-setup-'));
    const server = startServer(dir, { PORT: '0', BCRYPT_COST: '10' });
    await waitFor(() => /admin\/setup#/.test(server.output()));
    const [url] = listeningUrls(server.output());
    const links = [...server.output().matchAll(/(http:\/\/\S+)\/admin\/setup#([\w-]{43})/g)];
    expect(links).toHaveLength(1);
    expect(links[0][1]).toBe(url);
    const token = links[0][2];

    const setup = (body: Record<string, string>) =>
      fetch(`${url}/admin/setup`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'first-admin', password: 'correct-horse-battery-7', ...body }),
      });
    expect((await setup({ token })).status).toBe(201);
    expect((await setup({ token })).status).toBe(409);
    const login = await fetch(`${url}/admin/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'first-admin', password: 'correct-horse-battery-7' }),
    });
    expect(login.status).toBe(200);
    // The start-up line is the only place the token appears: no request log carries it.
    expect(server.output().split(token)).toHaveLength(2);

    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
  });

  it('with WORKERS=2, the primary prints the setup link once for all its workers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-setup-workers-'));
    const server = startServer(dir, { PORT: '0', WORKERS: '2', BCRYPT_COST: '10' });
    await waitFor(() => listeningUrls(server.output()).length === 2 && /admin\/setup#/.test(server.output()));
    // Give a worker that would print its own link the time to do it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.output().match(/admin\/setup#/g)).toHaveLength(1);

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

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';
import { createUser, loggedInUser, login } from '../helpers/factories';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe('examples/express-backend (jawth/express from the built package)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  /** Starts the example on port 0 and reads the address it prints. */
  async function startBackend(secret: string): Promise<string> {
    if (!existsSync(path.join(ROOT, 'dist', 'express', 'index.js')))
      execFileSync('npm', ['run', 'build'], { cwd: ROOT });
    const script = path.join(EXAMPLES, 'express-backend', 'server.js');
    child = spawn(process.execPath, [script], {
      env: { PATH: process.env.PATH, APP_SECRET: secret, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    for await (const line of lines) return (JSON.parse(line) as { listening: string }).listening;
    throw new Error('the example backend exited before listening');
  }

  it('answers /me for a jawth token and 401 without one', async () => {
    const { app, user, token } = await loggedInUser(ctx.app);
    const url = await startBackend(app.secret);

    const me = await request(url).get('/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ username: user.username, id: user.uid, role: 'user', groups: [], orgs: [] });
    const anonymous = await request(url).get('/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('unauthorized');
  });

  it('keeps /admin/report for the admin role', async () => {
    const { app, token } = await loggedInUser(ctx.app);
    const url = await startBackend(app.secret);
    expect((await request(url).get('/admin/report').set('Authorization', `Bearer ${token}`)).status).toBe(403);

    const adminUser = await createUser(ctx.app, app.name, { role: 'admin' });
    const res = await login(ctx.app, app.name, adminUser.username, adminUser.password);
    const report = await request(url).get('/admin/report').set('Authorization', `Bearer ${res.body.token}`);
    expect(report.status).toBe(200);
    expect(report.body.requested_by).toBe(adminUser.username);
  });
});

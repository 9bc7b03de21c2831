import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

async function loggedIn(userFields: Record<string, unknown> = {}) {
  const app = await createApplication(ctx.app);
  const user = await createUser(ctx.app, app.name, userFields);
  const res = await login(ctx.app, app.name, user.username, user.password);
  return { app, user, token: res.body.token as string, refreshToken: res.body.refresh_token as string };
}

/**
 * Debian's python3-jwt installs into /usr/bin/python3, which a pyenv python3 earlier on PATH
 * does not see. CI installs the package (.ci/run); a machine without it fails here, loudly.
 */
function python(): string {
  const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  const found = candidates.find((bin) => spawnSync(bin, ['-c', 'import jwt']).status === 0);
  if (!found) throw new Error('PyJWT is missing: apt-get install -y python3-jwt (or set PYTHON)');
  return found;
}

function verifyWithPython(token: string, secret: string) {
  const script = path.join(EXAMPLES, 'python', 'verify.py');
  return spawnSync(python(), [script], { input: token, env: { APP_SECRET: secret }, encoding: 'utf8' });
}

describe('examples/python/verify.py (PyJWT)', () => {
  it('verifies a /:app/login token with jwt.decode(token, key, algorithms=["HS256"])', async () => {
    const { app, user, token } = await loggedIn();
    const result = verifyWithPython(token, app.secret);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ username: user.username, id: user.uid, app: app.name });
  });

  it('verifies a Quid access token from /token/access', async () => {
    const { app, user, refreshToken } = await loggedIn();
    const access = await request(ctx.app)
      .post('/token/access')
      .send({ namespace: app.name, refresh_token: refreshToken });
    const result = verifyWithPython(access.body.token, app.secret);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ username: user.username, groups: [], orgs: [] });
  });

  it('refuses a token signed with another secret, and alg none', async () => {
    const { app, token } = await loggedIn();
    expect(verifyWithPython(token, `${app.secret}x`).status).toBe(1);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(verifyWithPython(`${none}.${token.split('.')[1]}.`, app.secret).status).toBe(1);
  });
});

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
    const { app, user, token } = await loggedIn();
    const url = await startBackend(app.secret);

    const me = await request(url).get('/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ username: user.username, id: user.uid, role: 'user', groups: [], orgs: [] });
    const anonymous = await request(url).get('/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('unauthorized');
  });

  it('keeps /admin/report for the admin role', async () => {
    const { app, token } = await loggedIn();
    const url = await startBackend(app.secret);
    expect((await request(url).get('/admin/report').set('Authorization', `Bearer ${token}`)).status).toBe(403);

    const adminUser = await createUser(ctx.app, app.name, { role: 'admin' });
    const res = await login(ctx.app, app.name, adminUser.username, adminUser.password);
    const report = await request(url).get('/admin/report').set('Authorization', `Bearer ${res.body.token}`);
    expect(report.status).toBe(200);
    expect(report.body.requested_by).toBe(adminUser.username);
  });
});

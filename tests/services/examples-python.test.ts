import { spawnSync } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';
import { loggedInUser } from '../helpers/factories';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

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
    const { app, user, token } = await loggedInUser(ctx.app);
    const result = verifyWithPython(token, app.secret);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ username: user.username, id: user.uid, app: app.name });
  });

  it('verifies a Quid access token from /token/access', async () => {
    const { app, user, refreshToken } = await loggedInUser(ctx.app);
    const access = await request(ctx.app)
      .post('/token/access')
      .send({ namespace: app.name, refresh_token: refreshToken });
    const result = verifyWithPython(access.body.token, app.secret);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ username: user.username, groups: [], orgs: [] });
  });

  it('refuses a token signed with another secret, and alg none', async () => {
    const { app, token } = await loggedInUser(ctx.app);
    expect(verifyWithPython(token, `${app.secret}x`).status).toBe(1);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(verifyWithPython(`${none}.${token.split('.')[1]}.`, app.secret).status).toBe(1);
  });
});

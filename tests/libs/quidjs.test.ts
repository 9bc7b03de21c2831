import { execFile } from 'node:child_process';
import path from 'node:path';
import express from 'express';
import { jawthAuth } from '../../packages/express/src';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';
import { listen, protectedBackend, type Listening } from '../helpers/servers';

/**
 * Compatibility with the real Quid client from npm (quidjs 0.8.0). It is ESM-only, so it runs
 * in a plain `node` child process; jawth and the API run here, on real HTTP.
 */
let ctx: TestContext;
let jawth: Listening;
const jawthRequests: string[] = [];
const running: Listening[] = [];
beforeAll(async () => {
  ctx = await createTestContext();
  const recorded = express();
  recorded.use((req, _res, next) => {
    jawthRequests.push(`${req.method} ${req.path} ${req.headers['content-type'] ?? '(none)'}`);
    next();
  });
  recorded.use(ctx.app);
  jawth = await listen(recorded);
});
afterAll(async () => {
  await Promise.all([jawth, ...running].map((server) => server.close()));
  await ctx.close();
});

interface QuidOutcome {
  ok: boolean;
  data?: unknown;
  hasRefreshToken?: boolean;
  message?: string;
  hasToLogin?: boolean;
}

function runQuidjs(env: Record<string, string>): Promise<QuidOutcome> {
  const script = path.join(__dirname, 'quidjs-session.mjs');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script], { env: { PATH: process.env.PATH, ...env } }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as QuidOutcome);
      } catch {
        reject(new Error(`quidjs script failed: ${error?.message ?? ''} ${stderr}`));
      }
    });
  });
}

async function setup() {
  const app = await createApplication(ctx.app);
  const user = await createUser(ctx.app, app.name);
  const api = protectedBackend(jawthAuth({ secret: app.secret }), { failFirst: true });
  const server = await listen(api.app);
  running.push(server);
  const env = {
    QUID_URL: jawth.url,
    API_URL: server.url,
    API_PATH: '/data',
    NAMESPACE: app.name,
    QUID_USERNAME: user.username,
    QUID_PASSWORD: user.password,
  };
  return { user, env, seen: api.seen };
}

describe('quidjs 0.8.0 against jawth', () => {
  it('logs in, and when the API answers 401 once, renews through /token/access and retries', async () => {
    const { user, env, seen } = await setup();
    jawthRequests.length = 0;

    const outcome = await runQuidjs(env);

    expect(outcome).toEqual({ ok: true, data: { hello: user.username, groups: [] }, hasRefreshToken: true });
    // quidjs posts its login with no content type (fetch makes it text/plain) and JSON elsewhere.
    expect(jawthRequests[0]).toBe('POST /token/refresh text/plain;charset=UTF-8');
    const renewals = jawthRequests.filter((line) => line === 'POST /token/access application/json');
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    expect(seen).toHaveLength(2);
    expect(seen.every((header) => header?.startsWith('Bearer '))).toBe(true);
  });

  it('reports a refused login', async () => {
    const { env } = await setup();
    const outcome = await runQuidjs({ ...env, QUID_PASSWORD: 'not-the-password-1' });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/Unauthorized/);
  });
});

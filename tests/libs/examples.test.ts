import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { totpCode } from '../../src/crypto/totp';
import { issueAccountToken } from '../../src/services/account-token.service';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, loggedInUser, login } from '../helpers/factories';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe('examples/express-backend (jawth/express, built from packages/express)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  /** Starts the example on port 0 and reads the address it prints. */
  async function startBackend(secret: string): Promise<string> {
    if (!existsSync(path.join(ROOT, 'packages', 'express', 'dist', 'cjs', 'index.js')))
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

describe('examples/mfa-login (a login page that handles a second factor)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { jawthLogIn } = require(path.join(EXAMPLES, 'mfa-login', 'login-flow.js')) as {
    jawthLogIn: (options: Record<string, unknown>) => Promise<Record<string, unknown>>;
  };
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    server = ctx.app.listen(0);
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  it('enrols a user of a required application, shows the recovery codes, then logs in with a code', async () => {
    const app = await createApplication(ctx.app, { mfa: 'required' });
    const user = await createUser(ctx.app, app.name);
    let secret = '';
    const shown: string[][] = [];
    const wrong: string[] = [];
    const codes = ['000000'];

    const session = await jawthLogIn({
      baseUrl,
      app: app.name,
      username: user.username,
      password: user.password,
      enrol: async (enrolment: { secret: string; qr_svg: string }) => {
        expect(enrolment.qr_svg).toMatch(/^<svg/);
        secret = enrolment.secret;
        return totpCode(secret, ctx.clock.now());
      },
      showRecoveryCodes: async (recovery: string[]) => shown.push(recovery),
      askCode: async () => {
        ctx.clock.advance(30);
        return codes.shift() ?? totpCode(secret, ctx.clock.now());
      },
      onWrongCode: (error: { code: string }) => wrong.push(error.code),
    });

    expect(shown[0]).toHaveLength(10);
    expect(wrong).toEqual(['invalid_code']);
    expect(session).toMatchObject({ username: user.username, token_type: 'Bearer' });
    const { amr } = JSON.parse(Buffer.from(String(session.token).split('.')[1], 'base64url').toString()) as {
      amr: string[];
    };
    expect(amr).toEqual(['pwd', 'otp']);
  });
});

describe('examples/account-mail-webhook (an application mailing from webhook events)', () => {
  const secret = `whsec_${Buffer.from('a-webhook-secret-of-32-bytes-long!').toString('base64')}`;
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  it('verifies the signature, writes the mail with the link, and the link resets the password', async () => {
    const app = await createApplication(ctx.app, { recovery: 'on' });
    const user = await createUser(ctx.app, app.name, { email: 'erin@example.com' });
    const row = await ctx.models.User.findOne({ where: { uid: user.uid } });
    const { token, expiresAt } = await issueAccountToken(row?.id as number, 'reset', ctx.deps);
    child = spawn(process.execPath, [path.join(EXAMPLES, 'account-mail-webhook', 'server.js')], {
      env: { PATH: process.env.PATH, WEBHOOK_SECRET: secret, PUBLIC_URL: 'https://shop.example.com/reset', PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
    const url = (await next()).listening as string;
    const payload = JSON.stringify({
      type: 'user.recovery_requested',
      timestamp: new Date().toISOString(),
      data: { uid: user.uid, username: user.username, email: 'erin@example.com', token, expires_at: expiresAt },
    });
    const headers = (body: string) => {
      const id = `msg_${user.uid}`;
      const now = new Date();
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, now, body),
        'content-type': 'application/json',
      };
    };

    const forged = await request(url).post('/jawth-webhook').set(headers('{"other":"body"}')).send(payload);
    const res = await request(url).post('/jawth-webhook').set(headers(payload)).send(payload);

    expect(forged.status).toBe(401);
    expect(res.status).toBe(204);
    const { mail } = (await next()) as { mail: { to: string; subject: string; text: string } };
    expect(mail.to).toBe('erin@example.com');
    const link = /https:\/\/\S+/.exec(mail.text)?.[0] as string;
    expect(link.startsWith('https://shop.example.com/reset#token=')).toBe(true);
    const reset = await request(ctx.app)
      .post(`/${app.name}/reset`)
      .send({
        token: decodeURIComponent(new URL(link).hash.slice('#token='.length)),
        password: 'a-new-good-passphrase-4',
      });
    expect(reset.status).toBe(200);
    expect((await login(ctx.app, app.name, user.username, 'a-new-good-passphrase-4')).status).toBe(200);
  });
});

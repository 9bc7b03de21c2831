import request from 'supertest';
import {
  JawthClient,
  JawthClientError,
  LoginRequiredError,
  SecondFactorRequiredError,
  type JawthClientOptions,
} from '../../packages/client/src';
import { totpCode } from '../../src/crypto/totp';
import { jawthAuth } from '../../packages/express/src';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';
import { listen, protectedBackend, type Listening } from '../helpers/servers';

let ctx: TestContext;
let jawth: Listening;
const running: Listening[] = [];
const clockSeconds = () => Math.floor(ctx.clock.now().getTime() / 1000);
beforeAll(async () => {
  ctx = await createTestContext();
  jawth = await listen(ctx.app);
});
afterAll(async () => {
  await Promise.all([jawth, ...running].map((server) => server.close()));
  await ctx.close();
});

/** An application, a user, a backend protected by jawthAuth, and a client whose calls are recorded. */
async function setup(options: Partial<JawthClientOptions> = {}, backend: { failFirst?: boolean } = {}) {
  const app = await createApplication(ctx.app);
  const user = await createUser(ctx.app, app.name, { username: `ada-${app.name}` });
  const api = protectedBackend(jawthAuth({ secret: app.secret, now: clockSeconds }), backend);
  const server = await listen(api.app);
  running.push(server);
  const calls: string[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    return fetch(input, init);
  };
  const client = new JawthClient({
    server: jawth.url,
    app: app.name,
    fetch: recordingFetch,
    now: () => ctx.clock.now().getTime(),
    ...options,
  });
  return { app, user, client, calls, seen: api.seen, dataUrl: `${server.url}/data` };
}

describe('JawthClient', () => {
  it('logs in, then calls a protected API with the login token', async () => {
    const { user, client, calls, dataUrl } = await setup();
    expect(await client.login(user.username, user.password)).toEqual({
      username: user.username,
      uid: user.uid,
      role: 'user',
    });
    const res = await client.fetch(dataUrl);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: user.username, groups: [] });
    expect(client.refreshToken).toEqual(expect.any(String));
    expect(calls.filter((call) => call.startsWith('POST'))).toHaveLength(1);
  });

  it('obtains an access token from a refresh token through /token/access and caches it', async () => {
    const { app, user, client, calls, dataUrl } = await setup({ accessTtl: '5m' });
    const quid = await request(ctx.app)
      .post('/token/refresh')
      .send({ namespace: app.name, username: user.username, password: user.password });
    client.setRefreshToken(quid.body.token);

    const first = await client.getAccessToken();
    expect(await client.getAccessToken()).toBe(first);
    const claims = JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(300);
    expect((await client.fetch(dataUrl)).status).toBe(200);
    expect(calls.filter((call) => call.startsWith('POST'))).toEqual([`POST /token/access/5m`]);
  });

  it('renews an access token shortly before it expires', async () => {
    const { user, client, calls } = await setup({ renewBefore: 60 });
    await client.login(user.username, user.password);
    ctx.clock.advance(15 * 60 - 59);
    await client.getAccessToken();
    expect(calls).toContain('POST /token/access');
  });

  it('when the API answers 401, renews the access token once and retries', async () => {
    const { user, client, calls, seen, dataUrl } = await setup({}, { failFirst: true });
    await client.login(user.username, user.password);
    const res = await client.fetch(dataUrl, { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(calls.filter((call) => call.startsWith('POST'))).toEqual([
      expect.stringMatching(/login$/),
      'POST /token/access',
    ]);
  });

  it('retries only once: a second 401 is handed back', async () => {
    const { app, user, client, seen } = await setup();
    await client.login(user.username, user.password);
    const other = protectedBackend(jawthAuth({ secret: `${app.secret}-not-this-one`, now: clockSeconds }));
    const server = await listen(other.app);
    running.push(server);
    const res = await client.fetch(`${server.url}/data`);
    expect(res.status).toBe(401);
    expect(other.seen).toHaveLength(2);
    expect(seen).toHaveLength(0);
  });

  it('renews once for parallel callers', async () => {
    const { user, client, calls } = await setup();
    await client.login(user.username, user.password);
    ctx.clock.advance(15 * 60);
    const tokens = await Promise.all([client.getAccessToken(), client.getAccessToken(), client.getAccessToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(calls.filter((call) => call === 'POST /token/access')).toHaveLength(1);
  });

  it('when the sessions are revoked, then LoginRequiredError, onLoginRequired, and the refresh token is dropped', async () => {
    const onLoginRequired = jest.fn();
    const onRefreshToken = jest.fn();
    const { app, user, client } = await setup({ onLoginRequired, onRefreshToken });
    await client.login(user.username, user.password);
    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions`).expect(204);
    ctx.clock.advance(15 * 60);

    const error = await client.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginRequiredError);
    expect(error).toMatchObject({ status: 401, hasToLogin: true });
    expect(onLoginRequired).toHaveBeenCalledWith(error);
    expect(onRefreshToken).toHaveBeenLastCalledWith(null);
    expect(client.refreshToken).toBeNull();
  });

  it('without a refresh token, asks for a login', async () => {
    const { client, calls } = await setup();
    await expect(client.getAccessToken()).rejects.toMatchObject({
      name: 'LoginRequiredError',
      code: 'no_refresh_token',
    });
    expect(calls).toEqual([]);
  });

  it('when the application asks for a second factor, then SecondFactorRequiredError, and loginWithCode completes it', async () => {
    const app = await createApplication(ctx.app, { mfa: 'required' });
    const user = await createUser(ctx.app, app.name);
    const client = new JawthClient({ server: jawth.url, app: app.name, now: () => ctx.clock.now().getTime() });

    const enrol = await client.login(user.username, user.password).catch((e: unknown) => e);
    expect(enrol).toBeInstanceOf(SecondFactorRequiredError);
    expect(enrol).toMatchObject({ enrolment: true, code: 'mfa_enrolment_required' });
    const bearer = { Authorization: `Bearer ${(enrol as SecondFactorRequiredError).mfaToken}` };
    const { secret } = (await request(ctx.app).post(`/${app.name}/${user.username}/mfa/enrol`).set(bearer)).body as {
      secret: string;
    };
    await request(ctx.app)
      .post(`/${app.name}/${user.username}/mfa/confirm`)
      .set(bearer)
      .send({ code: totpCode(secret, ctx.clock.now()) });
    ctx.clock.advance(30);

    const asked = await client.login(user.username, user.password).catch((e: unknown) => e);
    expect(asked).toMatchObject({ enrolment: false, code: 'mfa_required' });
    expect(client.refreshToken).toBeNull();
    const mfaToken = (asked as SecondFactorRequiredError).mfaToken;
    const done = await client.loginWithCode(mfaToken, totpCode(secret, ctx.clock.now()));

    expect(done).toEqual({ username: user.username, uid: user.uid, role: 'user' });
    expect(client.refreshToken).toEqual(expect.any(String));
    const claims = JSON.parse(Buffer.from((await client.getAccessToken()).split('.')[1], 'base64url').toString());
    expect(claims.amr).toEqual(['pwd', 'otp']);
  });

  it('reports wrong credentials as a JawthClientError, not as a login request', async () => {
    const { user, client } = await setup();
    const error = await client.login(user.username, 'wrong-password-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JawthClientError);
    expect(error).not.toBeInstanceOf(LoginRequiredError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  describe('with rotate: true', () => {
    it('renews through /:app/refresh and stores each new refresh token', async () => {
      const onRefreshToken = jest.fn();
      const { app, user, client, calls, dataUrl } = await setup({ rotate: true, onRefreshToken });
      await client.login(user.username, user.password);
      const first = client.refreshToken;
      ctx.clock.advance(15 * 60);

      expect((await client.fetch(dataUrl)).status).toBe(200);
      expect(calls).toContain(`POST /${app.name}/refresh`);
      expect(client.refreshToken).not.toBe(first);
      expect(onRefreshToken.mock.calls.map(([token]) => token)).toEqual([first, client.refreshToken]);
    });

    it('when a spent refresh token comes back after the grace, then refresh_token_reused', async () => {
      const { user, client, app } = await setup({ rotate: true });
      await client.login(user.username, user.password);
      const spent = client.refreshToken;
      ctx.clock.advance(15 * 60);
      await client.getAccessToken();

      ctx.clock.advance(ctx.config.refreshReuseGrace + 1);
      const stale = new JawthClient({ server: jawth.url, app: app.name, rotate: true, refreshToken: spent ?? '' });
      await expect(stale.getAccessToken()).rejects.toMatchObject({ code: 'refresh_token_reused', hasToLogin: true });
      // The family is revoked: the client that rotated must log in again too.
      ctx.clock.advance(15 * 60);
      await expect(client.getAccessToken()).rejects.toBeInstanceOf(LoginRequiredError);
    });
  });
});

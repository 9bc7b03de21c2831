import { JawthClient, JawthClientError, LoginRequiredError, type JawthClientOptions } from '../src';

/**
 * @jawth/client on its own, against a scripted fetch: each call is recorded and answered by the
 * next scripted answer. Against a real jawth on real HTTP: jawth's tests/libs/client.test.ts.
 */
const NOW = 1_700_000_000_000;

function accessToken(name: string, lifetime = 600): string {
  const iat = NOW / 1000;
  const payload = Buffer.from(JSON.stringify({ username: name, iat, exp: iat + lifetime })).toString('base64url');
  return `eyJhbGciOiJIUzI1NiJ9.${payload}.c2lnbmF0dXJl`;
}

type Answer = [status: number, body: Record<string, unknown>];

function scripted(answers: Answer[], options: Partial<JawthClientOptions> = {}) {
  const calls: { url: string; method: string; authorization: string | null; body?: unknown }[] = [];
  const fake: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      authorization: headers.get('authorization'),
      body,
    });
    const [status, answer] = answers.shift() ?? [500, { error: 'unscripted' }];
    return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } });
  };
  const client = new JawthClient({
    server: 'https://auth.example.com/',
    app: 'shop',
    fetch: fake,
    now: () => NOW,
    ...options,
  });
  return { client, calls };
}

const loginAnswer: Answer = [
  200,
  { token: accessToken('login'), refresh_token: 'r1', expires_in: 600, username: 'ada', uid: 'u1', role: 'user' },
];

describe('JawthClient (@jawth/client)', () => {
  it('logs in, keeps the refresh token, and calls an API with the login token', async () => {
    const kept: (string | null)[] = [];
    const { client, calls } = scripted([loginAnswer, [200, { ok: true }]], { onRefreshToken: (t) => kept.push(t) });

    expect(await client.login('ada', 'pw')).toEqual({ username: 'ada', uid: 'u1', role: 'user' });
    const res = await client.fetch('https://api.example.com/orders');

    expect(res.status).toBe(200);
    expect(kept).toEqual(['r1']);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST https://auth.example.com/shop/login',
      'GET https://api.example.com/orders',
    ]);
    expect(calls[1].authorization).toBe(`Bearer ${accessToken('login')}`);
  });

  it('when the API answers 401, renews the access token once through /token/access and retries', async () => {
    const { client, calls } = scripted([
      loginAnswer,
      [401, { error: 'unauthorized' }],
      [200, { token: accessToken('renewed') }],
      [200, { ok: true }],
    ]);
    await client.login('ada', 'pw');

    const res = await client.fetch('https://api.example.com/orders');

    expect(res.status).toBe(200);
    expect(calls[1].authorization).toBe(`Bearer ${accessToken('login')}`);
    expect(calls[2]).toMatchObject({
      url: 'https://auth.example.com/token/access',
      body: { namespace: 'shop', refresh_token: 'r1' },
    });
    expect(calls[3].authorization).toBe(`Bearer ${accessToken('renewed')}`);
  });

  it('retries only once: a second 401 is handed back', async () => {
    const { client, calls } = scripted([
      [200, { token: accessToken('a') }],
      [401, {}],
      [200, { token: accessToken('b') }],
      [401, {}],
    ]);
    client.setRefreshToken('r1');
    expect((await client.fetch('https://api.example.com/orders')).status).toBe(401);
    expect(calls).toHaveLength(4);
  });

  it('when jawth refuses the refresh token, then LoginRequiredError, and the refresh token is dropped', async () => {
    const required: LoginRequiredError[] = [];
    const { client } = scripted([[401, { error: 'invalid_token', message: 'The refresh token is invalid.' }]], {
      refreshToken: 'r1',
      onLoginRequired: (error) => required.push(error),
    });

    const error = (await client.getAccessToken().catch((e: unknown) => e)) as LoginRequiredError;

    expect(error).toBeInstanceOf(LoginRequiredError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_token', hasToLogin: true });
    expect(required).toEqual([error]);
    expect(client.refreshToken).toBeNull();
  });

  it('reports wrong credentials as a JawthClientError, not as a login request', async () => {
    const { client } = scripted([[401, { error: 'invalid_credentials', message: 'Wrong username or password.' }]]);
    const error = (await client.login('ada', 'wrong').catch((e: unknown) => e)) as JawthClientError;
    expect(error).toBeInstanceOf(JawthClientError);
    expect(error).not.toBeInstanceOf(LoginRequiredError);
    expect(error.code).toBe('invalid_credentials');
  });
});

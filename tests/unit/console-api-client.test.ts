import { sessionSchema } from '../../src/schemas/responses.schema';
import { ApiClient, ApiError } from '../../web/src/api/client';
import type { UserSession } from '../../web/src/api/types';

interface Recorded {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records each request and answers from a queue. */
function fakeFetch(...answers: Array<Response | Error>) {
  const calls: Recorded[] = [];
  const impl = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const next = answers.shift();
    if (!next) throw new Error('no answer queued');
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, impl: impl as typeof fetch };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });

function client(fetchImpl: typeof fetch, token: string | null = 'session-token', onUnauthorized = jest.fn()) {
  return { api: new ApiClient({ fetch: fetchImpl, getToken: () => token, onUnauthorized }), onUnauthorized };
}

describe('console API client', () => {
  it('logs in with a JSON body and returns the session', async () => {
    const fetch = fakeFetch(json(200, { token: 't', expires_in: 1800 }));
    const { api } = client(fetch.impl, null);

    await expect(api.login('root', 'pw')).resolves.toEqual({ token: 't', expires_in: 1800 });
    expect(fetch.calls[0]).toMatchObject({
      url: '/admin/login',
      method: 'POST',
      body: { username: 'root', password: 'pw' },
      headers: { 'Content-Type': 'application/json' },
    });
    expect(fetch.calls[0].headers.Authorization).toBeUndefined();
  });

  it('answers the second factor a login asks for, then completes it with a code (no session needed)', async () => {
    const fetch = fakeFetch(
      json(200, { mfa_required: true, mfa_token: 'm' }),
      json(200, { token: 't', expires_in: 1800 }),
    );
    const { api } = client(fetch.impl, null);

    await expect(api.login('root', 'pw')).resolves.toEqual({ mfa_required: true, mfa_token: 'm' });
    await expect(api.loginWithCode('m', '123456')).resolves.toEqual({ token: 't', expires_in: 1800 });
    expect(fetch.calls[1]).toMatchObject({
      url: '/admin/login/mfa',
      method: 'POST',
      body: { mfa_token: 'm', code: '123456' },
    });
    expect(fetch.calls[1].headers.Authorization).toBeUndefined();
  });

  it('when login fails with 401, then it throws the server message and does not end a session', async () => {
    const fetch = fakeFetch(
      json(401, { error: 'invalid_credentials', message: 'The username or password is incorrect.' }),
    );
    const { api, onUnauthorized } = client(fetch.impl, null);

    const error = await api.login('root', 'bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect((error as ApiError).describe()).toBe('The username or password is incorrect.');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('sends the first-run setup token only in the POST body, and a 401 there ends no session', async () => {
    const fetch = fakeFetch(json(201, { username: 'root' }), json(401, { error: 'unauthorized', message: 'no' }));
    const { api, onUnauthorized } = client(fetch.impl, null);

    await expect(api.setup('tok', 'root', 'pw')).resolves.toEqual({ username: 'root' });
    expect(fetch.calls[0]).toMatchObject({
      url: '/admin/setup',
      method: 'POST',
      body: { token: 'tok', username: 'root', password: 'pw' },
    });
    await expect(api.setup('used', 'root', 'pw')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('sends the session as a Bearer token and reads X-Total-Count of a list', async () => {
    const fetch = fakeFetch(json(200, [{ username: 'a' }], { 'X-Total-Count': '41' }));
    const { api } = client(fetch.impl);

    const page = await api.listUsers('my-app', { limit: 20, offset: 40, q: ' al ' });
    expect(page).toEqual({ items: [{ username: 'a' }], total: 41 });
    expect(fetch.calls[0].url).toBe('/my-app/users?limit=20&offset=40&q=al');
    expect(fetch.calls[0].headers.Authorization).toBe('Bearer session-token');
  });

  it('counts users with a one-item page', async () => {
    const fetch = fakeFetch(json(200, [{}], { 'X-Total-Count': '7' }));
    const { api } = client(fetch.impl);

    await expect(api.countUsers('my-app')).resolves.toBe(7);
    expect(fetch.calls[0].url).toBe('/my-app/users?limit=1&offset=0');
  });

  it('escapes names in paths', async () => {
    const fetch = fakeFetch(json(204, null), json(204, null));
    const { api } = client(fetch.impl);

    await api.revokeSessions('app', 'ann marie?x');
    await api.deleteUser('app', 'a#b');
    expect(fetch.calls.map((c) => [c.method, c.url])).toEqual([
      ['DELETE', '/app/users/ann%20marie%3Fx/sessions'],
      ['DELETE', '/app/users/a%23b'],
    ]);
  });

  it('sends application changes and rotations as JSON request data', async () => {
    const fetch = fakeFetch(json(200, { name: 'a' }), json(200, { name: 'a', secret: 's' }));
    const { api } = client(fetch.impl);

    await api.updateApplication('a', { access_ttl: '10m', cors_origins: ['https://x.example'] });
    await api.rotateSecret('a', '1h');
    expect(fetch.calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['PATCH', '/applications/a', { access_ttl: '10m', cors_origins: ['https://x.example'] }],
      ['POST', '/applications/a/rotate_secret', { grace: '1h' }],
    ]);
  });

  it('manages webhooks: create, change events, test, deliveries (latest 50), delete', async () => {
    const hook = {
      id: 'h/1',
      url: 'https://x.example/hooks',
      events: ['user.created'],
      created_at: '',
      updated_at: '',
    };
    const fetch = fakeFetch(
      json(201, { ...hook, secret: 'whsec_x' }),
      json(200, hook),
      json(202, { id: 'msg_1' }),
      json(200, [], { 'X-Total-Count': '0' }),
      json(204, null),
    );
    const { api } = client(fetch.impl);

    expect((await api.createWebhook('a', { url: hook.url, events: ['user.created'] })).secret).toBe('whsec_x');
    await api.updateWebhook('a', 'h/1', { events: ['user.deleted'] });
    await api.testWebhook('a', 'h/1');
    await api.listDeliveries('a', 'h/1');
    await api.deleteWebhook('a', 'h/1');
    expect(fetch.calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/applications/a/webhooks', { url: hook.url, events: ['user.created'] }],
      ['PATCH', '/applications/a/webhooks/h%2F1', { events: ['user.deleted'] }],
      ['POST', '/applications/a/webhooks/h%2F1/test', undefined],
      ['GET', '/applications/a/webhooks/h%2F1/deliveries?limit=50', undefined],
      ['DELETE', '/applications/a/webhooks/h%2F1', undefined],
    ]);
  });

  it('when a session request answers 401, then it reports the ended session and throws', async () => {
    const fetch = fakeFetch(json(401, { error: 'unauthorized', message: 'A valid admin credential is required.' }));
    const { api, onUnauthorized } = client(fetch.impl);

    await expect(api.listApplications()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('puts validation details into the sentence it shows', async () => {
    const fetch = fakeFetch(
      json(400, {
        error: 'validation_failed',
        message: 'The request is not valid.',
        details: [{ field: 'access_ttl', message: 'must be a duration like 30s' }],
      }),
    );
    const { api } = client(fetch.impl);

    const error = (await api.createApplication({ name: 'x', access_ttl: 'soon' }).catch((e: unknown) => e)) as ApiError;
    expect(error.describe()).toBe('The login token lifetime must be a duration like 30s.');
  });

  it('turns a network failure and a non-JSON error into readable errors', async () => {
    const fetch = fakeFetch(new TypeError('fetch failed'), new Response('<html>bad gateway</html>', { status: 502 }));
    const { api } = client(fetch.impl);

    await expect(api.getApplication('a')).rejects.toMatchObject({ status: 0, code: 'network_error' });
    await expect(api.getApplication('a')).rejects.toMatchObject({ status: 502, code: 'http_error' });
  });

  it('answers null for groups and orgs when the server has no such routes, and throws other errors', async () => {
    const fetch = fakeFetch(
      json(404, { error: 'not_found', message: 'No route for GET /app/groups.' }),
      json(200, [{ name: 'acme' }], { 'X-Total-Count': '1' }),
      json(404, { error: 'not_found', message: 'No application is named "gone".' }),
    );
    const { api } = client(fetch.impl);

    await expect(api.listGroups('app')).resolves.toBeNull();
    await expect(api.listOrgs()).resolves.toEqual([{ name: 'acme' }]);
    await expect(api.listGroups('gone')).rejects.toMatchObject({ status: 404 });
  });
  it('lists the audit log with its filters, a Date as ISO 8601, and the total from X-Total-Count', async () => {
    const entry = {
      at: '2026-11-26T10:00:00.000Z',
      actor: 'root',
      action: 'application.create',
      app: 'shop',
      target: 'shop',
      ip: '127.0.0.1',
      user_agent: 'curl',
      outcome: 'success',
      detail: { status: 201 },
    };
    const fetch = fakeFetch(json(200, [entry], { 'X-Total-Count': '120' }));
    const { api } = client(fetch.impl);

    const page = await api.listAudit({
      app: ' shop ',
      action: 'application.create',
      since: new Date(Date.UTC(2026, 10, 26, 9, 30)),
      limit: 50,
      offset: 50,
    });
    expect(page).toEqual({ items: [entry], total: 120 });
    expect(fetch.calls[0].method).toBe('GET');
    expect(fetch.calls[0].headers.Authorization).toBe('Bearer session-token');
    const url = new URL(fetch.calls[0].url, 'http://x');
    expect(url.pathname).toBe('/audit');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      app: 'shop',
      action: 'application.create',
      since: '2026-11-26T09:30:00.000Z',
      limit: '50',
      offset: '50',
    });
  });

  it('leaves blank audit filters out of the query and passes an ISO string through', async () => {
    const fetch = fakeFetch(json(200, [], { 'X-Total-Count': '0' }), json(200, []));
    const { api } = client(fetch.impl);

    await expect(api.listAudit({ app: '  ', action: '', limit: 20, offset: 0 })).resolves.toEqual({
      items: [],
      total: 0,
    });
    await api.listAudit({ since: '2026-01-01T00:00:00Z', limit: 20, offset: 0 });
    expect(fetch.calls.map((c) => c.url)).toEqual([
      '/audit?limit=20&offset=0',
      '/audit?since=2026-01-01T00%3A00%3A00Z&limit=20&offset=0',
    ]);
  });

  it('when the audit filters are refused, then it shows the field problem in words', async () => {
    const fetch = fakeFetch(
      json(400, {
        error: 'validation_failed',
        message: 'The request is not valid.',
        details: [{ field: 'since', message: 'must be an ISO 8601 time' }],
      }),
    );
    const { api, onUnauthorized } = client(fetch.impl);

    const error = (await api
      .listAudit({ since: 'yesterday', limit: 20, offset: 0 })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.describe()).toBe('The date must be an ISO 8601 time.');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('lists a user’s sessions, one page at a time, with the total from X-Total-Count', async () => {
    const session: UserSession = {
      id: 'f3c1a7e2-5b7d-4c1e-9a55-2d1f0c9e8b10',
      created_at: '2026-12-01T09:00:00.000Z',
      last_used_at: '2026-12-01T10:00:00.000Z',
      expires_at: '2026-12-31T09:00:00.000Z',
      ip: '198.51.100.7',
      user_agent: null,
    };
    const fetch = fakeFetch(json(200, [session], { 'X-Total-Count': '21' }));
    const { api } = client(fetch.impl);

    await expect(api.listSessions('shop', 'ann marie', { limit: 20, offset: 20 })).resolves.toEqual({
      items: [session],
      total: 21,
    });
    expect(fetch.calls[0]).toMatchObject({
      method: 'GET',
      url: '/shop/users/ann%20marie/sessions?limit=20&offset=20',
      headers: { Authorization: 'Bearer session-token' },
    });
    expect(sessionSchema.strict().parse(session)).toEqual(session);
  });

  it('revokes one session by its id, escaped, and reports one no longer live as a 404', async () => {
    const fetch = fakeFetch(
      json(204, null),
      json(404, { error: 'not_found', message: 'No live session "gone" for user "ann".' }),
    );
    const { api, onUnauthorized } = client(fetch.impl);

    await expect(api.revokeSession('shop', 'ann', 'a/b?c')).resolves.toBeUndefined();
    await expect(api.revokeSession('shop', 'ann', 'gone')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect(fetch.calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['DELETE', '/shop/users/ann/sessions/a%2Fb%3Fc', undefined],
      ['DELETE', '/shop/users/ann/sessions/gone', undefined],
    ]);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('lists, creates and revokes application keys at their admin paths', async () => {
    const key = { id: 'k1', label: 'backend', scopes: ['users:read'], created_at: '2026-01-01T00:00:00.000Z' };
    const fetch = fakeFetch(
      json(200, [key], { 'X-Total-Count': '1' }),
      json(201, { ...key, key: 'jawth_ak_x' }),
      json(204, null),
    );
    const { api } = client(fetch.impl);

    await expect(api.listKeys('shop')).resolves.toEqual([key]);
    await expect(api.createKey('shop', { label: 'backend', scopes: ['users:read'] })).resolves.toMatchObject({
      key: 'jawth_ak_x',
    });
    await expect(api.revokeKey('shop', 'k1')).resolves.toBeUndefined();
    expect(fetch.calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['GET', '/applications/shop/keys', undefined],
      ['POST', '/applications/shop/keys', { label: 'backend', scopes: ['users:read'] }],
      ['DELETE', '/applications/shop/keys/k1', undefined],
    ]);
  });
});

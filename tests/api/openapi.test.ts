import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { QueryTypes } from 'sequelize';
import request, { type Response } from 'supertest';
import type { Express } from 'express';
import { sha256 } from '../../src/crypto/random';
import { totpCode } from '../../src/crypto/totp';
import { openApiPaths } from '../../src/http/openapi/document';
import { createSetupToken } from '../../src/services/admin-setup.service';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { GOOD_PASSWORD, login, uniqueName } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  // Webhooks may point at this machine (a URL never called here).
  ctx = await createTestContext({ webhookAllowPrivate: true });
});
afterAll(async () => ctx.close());

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every (method, OpenAPI path) the Express app routes, found by walking its router stack. */
function expressRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat()) {
          for (const method of Object.keys(layer.route.methods)) {
            // Preflights are CORS, not operations.
            if (method !== 'options') found.push(...openApiPaths(path).map((p) => `${method} ${p}`));
          }
        }
      } else if (layer.handle.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  // The console's files (GET /admin/*splat) and the reference page's script (GET /docs/redoc.standalone.js)
  // are pages, not operations of the API.
  return found.filter((route) => route !== 'get /{splat}' && route !== 'get /redoc.standalone.js');
}

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  tags?: string[];
  requestBody?: { content: Record<string, { schema: object }> };
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
};

let document: Document;
beforeAll(async () => {
  document = (await request(ctx.app).get('/openapi.json')).body as Document;
});

/** The documented operation that a concrete request path answers, if any. */
function operationFor(method: string, url: string): { path: string; operation: Operation } | undefined {
  const path = url.split('?')[0];
  for (const [pattern, operations] of Object.entries(document.paths)) {
    const shape = new RegExp(`^${pattern.replace(/\{\w+\}/g, '[^/]+')}$`);
    if (shape.test(path) && operations[method]) return { path: pattern, operation: operations[method] };
  }
  return undefined;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });

/**
 * The schema with each `$ref` replaced by its component, and each `allOf` of objects (an error
 * answer: the Error component and its codes) merged into one object, for `closed` to close.
 */
function resolved(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(resolved);
  if (!schema || typeof schema !== 'object') return schema;
  const { $ref, allOf, ...rest } = schema as { $ref?: string; allOf?: unknown[] };
  if ($ref) return resolved(document.components.schemas[$ref.replace('#/components/schemas/', '')]);
  const copy = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, resolved(value)]));
  if (!allOf) return copy;
  const parts = allOf.map(resolved) as { properties?: object; required?: string[] }[];
  return {
    ...copy,
    type: 'object',
    properties: Object.assign({}, ...parts.map((part) => part.properties)),
    required: [...new Set(parts.flatMap((part) => part.required ?? []))],
  };
}

/** The schema with every object closed: an answer's field that the document does not name fails. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  if ('properties' in copy && !('additionalProperties' in copy)) copy.additionalProperties = false;
  return copy;
}
const validators = new Map<object, ValidateFunction>();
const validated = new Set<string>();

/** Checks an answer against the schema the document gives for its status (or the error schema). */
function expectDocumented(method: string, url: string, res: Response): void {
  const found = operationFor(method, url);
  if (!found) throw new Error(`${method} ${url} is not documented`);
  const described = found.operation.responses[String(res.status)] ?? found.operation.responses.default;
  const schema = described?.content?.['application/json']?.schema;
  if (res.status < 300) validated.add(`${method} ${found.path}`);
  if (!schema) {
    expect(res.text ?? '').toBe('');
    return;
  }
  let validate = validators.get(schema);
  if (!validate) validators.set(schema, (validate = ajv.compile(closed(resolved(schema)) as object)));
  if (!validate(res.body)) throw new Error(`${method} ${url} ${res.status}: ${ajv.errorsText(validate.errors)}`);
}

/**
 * The token of a confirmation or reset as a mail would carry it: the test stores a known token's
 * hash in place of the one issued (the database keeps only hashes). Waits for the recovery's work,
 * done after its answer.
 */
async function accountToken(uid: string, purpose: 'confirm' | 'reset'): Promise<string> {
  const token = `${purpose}-${uniqueName('token')}`;
  const sql = `UPDATE one_use_tokens SET token_hash = $1 WHERE purpose = $2 AND user_id = (SELECT id FROM users WHERE uid = $3)`;
  for (let tries = 0; tries < 500; tries++) {
    const bind = [sha256(token), purpose, uid];
    if (Number(await ctx.db.query(sql, { bind, type: QueryTypes.BULKDELETE })) > 0) return token;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${purpose} token for ${uid}`);
}

async function call(method: 'get' | 'post' | 'patch' | 'delete', url: string, data?: unknown): Promise<Response> {
  const res = await admin(ctx.app, method, url, data);
  expectDocumented(method, url, res);
  return res;
}

async function publicCall(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const res = await request(ctx.app)
    .post(url)
    .set(headers)
    .send(body as object);
  expectDocumented('post', url, res);
  return res;
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document', () => {
    expect((document as unknown as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('names every operation by the operationId its route declares, each once', () => {
    const operations = Object.values(document.paths).flatMap((ops) => Object.values(ops));
    const ids = operations.map((operation) => operation.operationId);
    expect(ids.filter((id) => !id || !/^[a-z][A-Za-z]+$/.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(document.paths['/{app}/users'].get.operationId).toBe('listUsers');
    expect(document.paths['/token/access'].post.operationId).toBe('issueAccessToken');
    expect(document.paths['/token/access/{ttl}'].post.operationId).toBe('issueAccessTokenWithTtl');
  });

  it('declares on every operation who may call it: anyone ([]), an admin, or the token the route reads', () => {
    const operations = Object.values(document.paths).flatMap((ops) => Object.values(ops));
    expect(operations.filter((operation) => !Array.isArray(operation.security))).toEqual([]);
    const schemes = (path: string, method: string) =>
      (document.paths[path][method].security ?? []).flatMap((requirement) => Object.keys(requirement));
    expect(schemes('/{app}/login', 'post')).toEqual([]);
    expect(schemes('/token/access', 'post')).toEqual([]);
    expect(schemes('/health', 'get')).toEqual([]);
    expect(schemes('/applications', 'get')).toEqual(['signedRequest', 'adminSession']);
    expect(schemes('/{app}/users', 'get')).toEqual(['signedRequest', 'adminSession', 'appKey']);
    expect(schemes('/{app}/{username}/change_password', 'post')).toEqual(['userToken']);
    expect(schemes('/{app}/{username}/mfa/enrol', 'post')).toEqual(['userToken']);
    expect(schemes('/admin/logout', 'post')).toEqual(['adminSession']);
    const declared = Object.keys(
      (document as unknown as { components: { securitySchemes: object } }).components.securitySchemes,
    );
    const used = operations.flatMap((operation) => (operation.security ?? []).flatMap((r) => Object.keys(r)));
    expect([...new Set(used)].sort()).toEqual(declared.sort());
  });

  it('refers to named components for every body and answer, and for the error shape', () => {
    const unnamed: string[] = [];
    const isRef = (schema: object) => {
      const { $ref, items, allOf } = schema as { $ref?: string; items?: object; allOf?: object[] };
      const ref = $ref ?? (items as { $ref?: string } | undefined)?.$ref ?? (allOf?.[0] as { $ref?: string })?.$ref;
      return ref !== undefined && ref.replace('#/components/schemas/', '') in document.components.schemas;
    };
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const bodies = Object.values(operation.requestBody?.content ?? {});
        const answers = Object.values(operation.responses).flatMap((answer) => Object.values(answer.content ?? {}));
        for (const { schema } of [...bodies, ...answers]) if (!isRef(schema)) unnamed.push(`${method} ${path}`);
      }
    }
    expect(unnamed).toEqual([]);
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Error', 'User', 'Application', 'CreateApplication', 'Login', 'LoginOrChallenge']),
    );
  });

  it('declares its server, its license and every tag it uses, with a description', () => {
    const top = document as unknown as {
      servers: { url: string }[];
      info: { license: { name: string } };
      tags: { name: string; description: string }[];
    };
    expect(top.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(top.info.license.name).toBe('MIT');
    const used = Object.values(document.paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags ?? []));
    expect([...new Set(used)].sort()).toEqual(top.tags.map((tag) => tag.name).sort());
    expect(top.tags.filter((tag) => !tag.description)).toEqual([]);
  });

  it('documents every route the app serves (a route without a declaration cannot exist)', () => {
    const missing = expressRoutes(ctx.app).filter((route) => {
      const [method, path] = route.split(' ');
      return !document.paths[path]?.[method];
    });
    expect(expressRoutes(ctx.app).length).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  it('names every path parameter as a required parameter, and the query parameters each route reads', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const operation of Object.values(operations)) {
        const declared = (operation.parameters ?? []).filter((p) => p.in === 'path');
        expect([path, declared.map((p) => p.name).sort()]).toEqual([path, inPath]);
        expect(declared.every((p) => p.required)).toBe(true);
      }
    }
    const query = (path: string) =>
      (document.paths[path].get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query('/users')).toEqual(expect.arrayContaining(['q', 'app', 'limit', 'offset']));
    expect(query('/{app}/users')).toEqual(expect.arrayContaining(['q', 'limit', 'offset']));
    expect(query('/audit')).toEqual(expect.arrayContaining(['app', 'action', 'since', 'limit', 'offset']));
    expect(query('/applications/{name}')).toEqual(['include_secret']);
  });

  it('takes its request bodies from the zod schemas the routes validate with', () => {
    const { requestBody } = document.paths['/applications'].post as unknown as {
      requestBody: { content: { 'application/json': { schema: { $ref: string } } } };
    };
    expect(requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreateApplication',
    });
    const body = resolved(requestBody.content['application/json'].schema) as {
      required: string[];
      additionalProperties: boolean;
    };
    expect(body.required).toEqual(['name']);
    expect(body.additionalProperties).toBe(false);
  });

  it('describes the real answers of every operation, successes and errors alike', async () => {
    expectDocumented('get', '/', await request(ctx.app).get('/').set('Accept', 'application/json'));
    expectDocumented('get', '/health', await request(ctx.app).get('/health'));
    expectDocumented('get', '/ready', await request(ctx.app).get('/ready'));
    const metrics = await request(ctx.app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(Object.keys(document.paths['/metrics'].get.responses['200'].content ?? {})).toEqual(['text/plain']);
    validated.add('get /metrics');
    validated.add('get /openapi.json');

    const setupToken = await createSetupToken(ctx);
    const adminName = uniqueName('root');
    const setup = await publicCall('/admin/setup', { token: setupToken, username: adminName, password: GOOD_PASSWORD });
    expect(setup.status).toBe(201);
    const session = await publicCall('/admin/login', { username: adminName, password: GOOD_PASSWORD });
    expect(session.status).toBe(200);
    const consoleSession = { Authorization: `Bearer ${session.body.token}`, Accept: 'application/json' };
    const account = await request(ctx.app).get('/admin/account').set(consoleSession);
    expectDocumented('get', '/admin/account', account);
    const adminEnrolment = await publicCall('/admin/account/mfa/enrol', {}, consoleSession);
    const adminSecret = adminEnrolment.body.secret as string;
    await publicCall('/admin/account/mfa/confirm', { code: totpCode(adminSecret, ctx.clock.now()) }, consoleSession);
    ctx.clock.advance(30);
    const adminAsked = await publicCall('/admin/login', { username: adminName, password: GOOD_PASSWORD });
    const adminCode = totpCode(adminSecret, ctx.clock.now());
    await publicCall('/admin/login/mfa', { mfa_token: adminAsked.body.mfa_token, code: adminCode });
    await call('delete', `/admin/accounts/${adminName}/mfa`);
    const logout = await request(ctx.app).post('/admin/logout').set('Authorization', `Bearer ${session.body.token}`);
    expect(logout.status).toBe(204);
    expectDocumented('post', '/admin/logout', logout);
    validated.add('post /admin/logout');

    const name = uniqueName('doc');
    expect((await call('post', '/applications', { name, cors_origins: ['https://example.test'] })).status).toBe(201);
    await call('get', '/applications');
    await call('get', `/applications/${name}?include_secret=true`);
    await call('patch', `/applications/${name}`, { access_ttl: '10m' });
    await call('post', `/applications/${name}/rotate_secret`, { grace: '1h' });
    await call('get', '/audit/actions');
    const appKey = await call('post', `/applications/${name}/keys`, { label: 'backend', scopes: ['users:read'] });
    expect(appKey.status).toBe(201);
    await call('get', `/applications/${name}/keys`);
    const byKey = await request(ctx.app).get(`/${name}/users`).set('Authorization', `AppKey ${appKey.body.key}`);
    expectDocumented('get', `/${name}/users`, byKey);
    expect((await call('delete', `/applications/${name}/keys/${appKey.body.id}`)).status).toBe(204);
    const hooks = `/applications/${name}/webhooks`;
    const hook = await call('post', hooks, { url: 'http://127.0.0.1:9/hooks', events: ['user.created'] });
    expect(hook.status).toBe(201);
    await call('get', hooks);
    await call('get', `${hooks}/${hook.body.id}`);
    await call('patch', `${hooks}/${hook.body.id}`, { events: ['user.created', 'user.deleted'] });
    expect((await call('post', `${hooks}/${hook.body.id}/test`)).status).toBe(202);
    const [queued] = (await call('get', `${hooks}/${hook.body.id}/deliveries`)).body as { id: string }[];
    const delivery = `${hooks}/${hook.body.id}/deliveries/${queued.id}`;
    expect((await call('post', `${delivery}/replay`)).status).toBe(409);
    expect((await call('post', `${delivery}/skip`)).status).toBe(200);
    expect((await call('post', `${delivery}/retry`)).status).toBe(202);
    // As if the receiver had taken it: a delivered one can be replayed.
    await ctx.db.query("UPDATE webhook_deliveries SET status = 'delivered' WHERE message_id = $1", {
      bind: [queued.id],
    });
    expect((await call('post', `${delivery}/replay`)).status).toBe(202);
    expect((await call('post', hooks, { url: 'ftp://example.com', events: [] })).status).toBe(400);
    expect((await call('delete', `${hooks}/${hook.body.id}`)).status).toBe(204);

    await call('post', `/${name}/groups`, { name: 'editors' });
    await call('post', '/orgs', { name: uniqueName('org') });
    const org = (await call('get', '/orgs')).body[0].name as string;
    const username = uniqueName('u');
    const created = await call('post', `/${name}/users`, {
      username,
      password: GOOD_PASSWORD,
      groups: ['editors'],
      orgs: [org],
    });
    const second = await call('post', '/users', { app: name, username: uniqueName('v'), password: GOOD_PASSWORD });
    await call('get', '/users?q=u-');
    await call('get', `/users/${created.body.uid}`);
    await call('patch', `/users/${created.body.uid}`, { role: 'editor' });
    await call('get', `/${name}/users?q=${username}`);
    await call('get', `/${name}/users/${username}`);
    await call('patch', `/${name}/users/${username}`, { role: 'author' });
    await call('get', `/${name}/groups`);
    await call('get', `/${name}/groups/editors/users`);
    await call('get', `/orgs/${org}/users`);

    const loggedIn = await login(ctx.app, name, username, GOOD_PASSWORD);
    expectDocumented('post', `/${name}/login`, loggedIn);
    const rotated = await publicCall(`/${name}/refresh`, { refresh_token: loggedIn.body.refresh_token });
    const quid = await publicCall('/token/refresh/1h', { namespace: name, username, password: GOOD_PASSWORD });
    await publicCall('/token/refresh', { namespace: name, username, password: GOOD_PASSWORD });
    await publicCall('/token/access/5m', { namespace: name, refresh_token: quid.body.token });
    await publicCall('/token/access', { namespace: name, refresh_token: rotated.body.refresh_token });
    const sessions = await call('get', `/${name}/users/${username}/sessions`);
    await call('delete', `/${name}/users/${username}/sessions/${sessions.body[0].id}`);
    const relogin = await login(ctx.app, name, username, GOOD_PASSWORD);
    const changed = await publicCall(
      `/${name}/${username}/change_password`,
      { password: 'another-good-passphrase-9', repeated_password: 'another-good-passphrase-9' },
      { Authorization: `Bearer ${relogin.body.token}` },
    );
    await call('patch', `/applications/${name}`, { mfa: 'optional' });
    const latest = { Authorization: `Bearer ${changed.body.token}` };
    const enrolment = await publicCall(`/${name}/${username}/mfa/enrol`, {}, latest);
    const secret = enrolment.body.secret as string;
    await publicCall(`/${name}/${username}/mfa/confirm`, { code: totpCode(secret, ctx.clock.now()) }, latest);
    ctx.clock.advance(30);
    const asked = await publicCall(`/${name}/login`, { username, password: 'another-good-passphrase-9' });
    const code = totpCode(secret, ctx.clock.now());
    expect((await publicCall(`/${name}/login/mfa`, { mfa_token: asked.body.mfa_token, code })).status).toBe(200);
    await call('delete', `/${name}/users/${username}/mfa`);

    // Sign-up, confirmation and recovery: without SMTP the token is read from the database.
    await call('patch', `/applications/${name}`, {
      signup: 'confirm',
      recovery: 'on',
      public_url: 'https://example.test/a',
    });
    const signedUp = await publicCall(`/${name}/signup`, {
      username: uniqueName('s'),
      password: GOOD_PASSWORD,
      email: `${uniqueName('s')}@example.test`,
    });
    expect(signedUp.status).toBe(201);
    const confirmToken = await accountToken(signedUp.body.uid as string, 'confirm');
    expect((await publicCall(`/${name}/confirm`, { token: confirmToken })).status).toBe(200);
    expect((await publicCall(`/${name}/recover`, { username: signedUp.body.username })).status).toBe(202);
    const resetToken = await accountToken(signedUp.body.uid as string, 'reset');
    expect(
      (await publicCall(`/${name}/reset`, { token: resetToken, password: 'a-new-good-passphrase-4' })).status,
    ).toBe(200);
    await publicCall(`/${name}/reset`, { token: resetToken, password: 'a-new-good-passphrase-4' });
    await call('get', `/audit?app=${name}`);
    await call('get', `/stats?app=${name}`);
    await call('get', '/stats');

    await call('delete', `/${name}/users/${username}/sessions`);
    await call('delete', `/${name}/users/${username}`);
    expect((await call('delete', `/users/${second.body.uid}`)).status).toBe(204);
    await call('delete', `/${name}/groups/editors`);
    await call('delete', `/orgs/${org}`);
    await call('delete', `/applications/${name}`);
    const other = await call('post', '/users', { app: uniqueName('none'), username: 'x', password: GOOD_PASSWORD });
    expect(other.status).toBe(404);

    // Errors have the one error shape: a refused login, a malformed body, an unknown route.
    await publicCall(`/${name}/login`, { username: 'nobody', password: 'wrong-password' });
    await publicCall('/token/access', { namespace: 1 });
    const unknown = await request(ctx.app).get('/nowhere/at/all');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'not_found', message: expect.any(String) });

    const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(operations.filter((operation) => !validated.has(operation))).toEqual([]);
  });
});

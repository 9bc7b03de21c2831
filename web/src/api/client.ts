import type {
  AdminAccount,
  AdminSession,
  AdminSetup,
  Application,
  ApplicationInput,
  ApplicationKey,
  ApplicationKeyInput,
  AuditEntry,
  AuditFilter,
  FieldProblem,
  Group,
  MfaChallenge,
  MfaEnrolment,
  Org,
  Page,
  Stats,
  User,
  UserInput,
  UserSession,
  Webhook,
  WebhookChange,
  WebhookDelivery,
  WebhookInput,
} from './types';
import { OPERATIONS } from './operations';

/** An answer of the API that is not a success, or a request that never got one. */
/** The API's field names as the console's forms label them. */
const FIELD_WORDS: Record<string, string> = {
  name: 'The name',
  access_ttl: 'The login token lifetime',
  access_ttl_max: 'The access token max',
  refresh_ttl_max: 'The refresh token max',
  cors_origins: 'The CORS origins',
  audience: 'The audience',
  username: 'The username',
  password: 'The password',
  repeated_password: 'The repeated password',
  role: 'The role',
  groups: 'The groups',
  orgs: 'The orgs',
  grace: 'The grace period',
  email: 'The e-mail',
  public_url: 'The public URL',
  'mail_templates.confirm.subject': 'The confirmation mail’s subject',
  'mail_templates.confirm.text': 'The confirmation mail’s text',
  'mail_templates.recover.subject': 'The reset mail’s subject',
  'mail_templates.recover.text': 'The reset mail’s text',
  since: 'The date',
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /**
   * What a person reads: each refused field in the words of the console's forms ("Login token
   * lifetime must be ..."), or the server's message when no field is named.
   */
  describe(): string {
    if (this.details.length === 0) return this.message;
    return this.details.map((d) => `${FIELD_WORDS[d.field] ?? d.field} ${d.message}.`).join(' ');
  }
}

export interface ApiClientOptions {
  /** The server's origin, '' for the page's own. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** The current admin session token, if any. */
  getToken(): string | null;
  /** Called when the server refuses the session (expired or ended elsewhere). */
  onUnauthorized?(): void;
}

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Login has no session yet: its 401 means wrong credentials, not an expired session. */
  anonymous?: boolean;
}

/** The names in braces of an operation's path (`/{app}/users/{username}` has app and username). */
type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;
export type OperationId = keyof typeof OPERATIONS;
type Params<Id extends OperationId> = Record<ParamNames<(typeof OPERATIONS)[Id]['path']>, string>;

/**
 * The request of one operation of the route table (./operations.ts, generated from it): its
 * method, and its path with each parameter filled in and encoded. The console writes no path.
 */
export function operation<Id extends OperationId>(
  id: Id,
  ...[params]: ParamNames<(typeof OPERATIONS)[Id]['path']> extends never ? [] : [Params<Id>]
): Call {
  const { method, path } = OPERATIONS[id];
  const values = (params ?? {}) as Record<string, string>;
  return {
    method,
    path: path.replace(/\{(\w+)\}/g, (_whole, name: string) => encodeURIComponent(values[name])),
  };
}

/** The admin API as the console uses it: an admin session, JSON bodies as request data. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** A session, or the second factor the account asks for (then `loginWithCode`). */
  login(username: string, password: string): Promise<AdminSession | MfaChallenge> {
    return this.json({ ...operation('adminLogin'), body: { username, password }, anonymous: true });
  }

  /** Completes a login with a TOTP code or a recovery code. */
  loginWithCode(mfaToken: string, code: string): Promise<AdminSession> {
    const body = { mfa_token: mfaToken, code };
    return this.json({ ...operation('adminLoginWithCode'), body, anonymous: true });
  }

  account(): Promise<AdminAccount> {
    return this.json(operation('getAdminAccount'));
  }

  enrolMfa(): Promise<MfaEnrolment> {
    return this.json(operation('enrolAdminMfa'));
  }

  confirmMfa(code: string): Promise<{ recovery_codes: string[] }> {
    return this.json({ ...operation('confirmAdminMfa'), body: { code } });
  }

  /** First run: spends the setup link's token on the first admin account. */
  setup(token: string, username: string, password: string): Promise<AdminSetup> {
    return this.json({ ...operation('setupAdmin'), body: { token, username, password }, anonymous: true });
  }

  async logout(): Promise<void> {
    await this.send({ ...operation('adminLogout'), anonymous: true });
  }

  listApplications(limit = 1000, offset = 0): Promise<Page<Application>> {
    return this.page({ ...operation('listApplications'), query: { limit, offset } });
  }

  createApplication(input: ApplicationInput): Promise<Application> {
    return this.json({ ...operation('createApplication'), body: input });
  }

  getApplication(name: string): Promise<Application> {
    return this.json(operation('getApplication', { name }));
  }

  updateApplication(name: string, input: ApplicationInput): Promise<Application> {
    return this.json({ ...operation('updateApplication', { name }), body: input });
  }

  rotateSecret(name: string, grace: string): Promise<Application> {
    return this.json({ ...operation('rotateApplicationSecret', { name }), body: { grace } });
  }

  async deleteApplication(name: string): Promise<void> {
    await this.send(operation('deleteApplication', { name }));
  }

  /** The application's keys (never the keys themselves). */
  async listKeys(app: string): Promise<ApplicationKey[]> {
    return (await this.page<ApplicationKey>(operation('listApplicationKeys', { name: app }))).items;
  }

  /** A new key: the answer is the only time the key is shown. */
  createKey(app: string, input: ApplicationKeyInput): Promise<ApplicationKey & { key: string }> {
    return this.json({ ...operation('createApplicationKey', { name: app }), body: input });
  }

  async revokeKey(app: string, id: string): Promise<void> {
    await this.send(operation('revokeApplicationKey', { name: app, id }));
  }

  /** The application's webhook endpoints (never their secrets). */
  async listWebhooks(app: string): Promise<Webhook[]> {
    return (await this.page<Webhook>(operation('listWebhooks', { name: app }))).items;
  }

  /** A new endpoint: the answer is the only time its signing secret is shown. */
  createWebhook(app: string, input: WebhookInput): Promise<Webhook & { secret: string }> {
    return this.json({ ...operation('createWebhook', { name: app }), body: input });
  }

  updateWebhook(app: string, id: string, change: WebhookChange): Promise<Webhook> {
    return this.json({ ...operation('updateWebhook', { name: app, id }), body: change });
  }

  async deleteWebhook(app: string, id: string): Promise<void> {
    await this.send(operation('deleteWebhook', { name: app, id }));
  }

  /** Queues a webhook.test event to the endpoint; the answer is its delivery, pending. */
  testWebhook(app: string, id: string): Promise<WebhookDelivery> {
    return this.json(operation('testWebhook', { name: app, id }));
  }

  /** Retry, replay or skip one delivery (docs/api.md, Webhooks); the answer is the delivery as it is now. */
  handDelivery(
    app: string,
    id: string,
    delivery: string,
    action: 'retry' | 'replay' | 'skip',
  ): Promise<WebhookDelivery> {
    return this.json(operation(`${action}WebhookDelivery`, { name: app, id, delivery }));
  }

  /** The endpoint's latest deliveries, newest first, with their attempts. */
  async listDeliveries(app: string, id: string): Promise<WebhookDelivery[]> {
    const call = { ...operation('listWebhookDeliveries', { name: app, id }), query: { limit: 50 } };
    return (await this.page<WebhookDelivery>(call)).items;
  }

  /** How many users an application has, from X-Total-Count of a one-item page. */
  async countUsers(app: string): Promise<number> {
    return (await this.listUsers(app, { limit: 1, offset: 0 })).total;
  }

  listUsers(app: string, page: { limit: number; offset: number; q?: string }): Promise<Page<User>> {
    const q = page.q?.trim() ? page.q.trim() : undefined;
    return this.page({
      ...operation('listUsers', { app }),
      query: { limit: page.limit, offset: page.offset, q },
    });
  }

  createUser(app: string, input: UserInput & { username: string; password: string }): Promise<User> {
    return this.json({ ...operation('createUser', { app }), body: input });
  }

  updateUser(app: string, username: string, input: UserInput): Promise<User> {
    return this.json({ ...operation('updateUser', { app, username }), body: input });
  }

  /** The user's live sessions, newest first. */
  listSessions(app: string, username: string, page: { limit: number; offset: number }): Promise<Page<UserSession>> {
    return this.page({
      ...operation('listUserSessions', { app, username }),
      query: { limit: page.limit, offset: page.offset },
    });
  }

  /** Ends one session; the user's others go on. 404 when it is no longer live. */
  async revokeSession(app: string, username: string, id: string): Promise<void> {
    await this.send(operation('revokeSession', { app, username, id }));
  }

  /** Ends every session of the user ("log out everywhere"). */
  async revokeSessions(app: string, username: string): Promise<void> {
    await this.send(operation('revokeAllSessions', { app, username }));
  }

  async deleteUser(app: string, username: string): Promise<void> {
    await this.send(operation('deleteUser', { app, username }));
  }

  /** Groups of an application, or null when this server has no groups endpoints. */
  listGroups(app: string): Promise<Group[] | null> {
    return this.optionalList(operation('listGroups', { app }));
  }

  /** The users of a group, by username. */
  listGroupMembers(app: string, group: string, page: { limit: number; offset: number }): Promise<Page<User>> {
    return this.page({ ...operation('listGroupMembers', { app, group }), query: page });
  }

  createGroup(app: string, name: string): Promise<Group> {
    return this.json({ ...operation('createGroup', { app }), body: { name } });
  }

  async deleteGroup(app: string, name: string): Promise<void> {
    await this.send(operation('deleteGroup', { app, group: name }));
  }

  /** Orgs, or null when this server has no orgs endpoints. */
  listOrgs(): Promise<Org[] | null> {
    return this.optionalList(operation('listOrgs'));
  }

  /** The users of an org, from every application. */
  listOrgMembers(org: string, page: { limit: number; offset: number }): Promise<Page<User>> {
    return this.page({ ...operation('listOrgMembers', { org }), query: page });
  }

  createOrg(name: string): Promise<Org> {
    return this.json({ ...operation('createOrg'), body: { name } });
  }

  async deleteOrg(name: string): Promise<void> {
    await this.send(operation('deleteOrg', { org: name }));
  }

  /** The audit log, newest first; blank filters are not sent. */
  listAudit(filter: AuditFilter): Promise<Page<AuditEntry>> {
    const text = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
    const since = filter.since instanceof Date ? filter.since.toISOString() : text(filter.since);
    return this.page({
      ...operation('listAudit'),
      query: {
        app: text(filter.app),
        action: text(filter.action),
        since,
        limit: filter.limit,
        offset: filter.offset,
      },
    });
  }

  /** The home page's numbers: one application's, or (without a name) every application's. */
  getStats(app?: string): Promise<Stats> {
    return this.json({ ...operation('getStats'), query: { app } });
  }

  /**
   * The action codes the audit log can hold (`application.rotate_secret`, …), from the server's
   * table of routes; null when this server does not list them.
   */
  async listAuditActions(): Promise<string[] | null> {
    try {
      const actions = await this.json<unknown>(operation('listAuditActions'));
      return Array.isArray(actions) ? actions.filter((action): action is string => typeof action === 'string') : null;
    } catch (error) {
      if (isMissingRoute(error)) return null;
      throw error;
    }
  }

  private async optionalList<T>(list: Call): Promise<T[] | null> {
    try {
      return (await this.page<T>({ ...list, query: { limit: 1000 } })).items;
    } catch (error) {
      if (isMissingRoute(error)) return null;
      throw error;
    }
  }

  private async page<T>(call: Call): Promise<Page<T>> {
    const res = await this.send(call);
    const items = (await res.json()) as T[];
    const header = res.headers.get('X-Total-Count');
    const total = header === null ? items.length : Number(header);
    return { items, total: Number.isFinite(total) ? total : items.length };
  }

  private async json<T>(call: Call): Promise<T> {
    return (await (await this.send(call)).json()) as T;
  }

  private async send(call: Call): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + call.path + queryString(call.query), {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, 'network_error', 'Could not reach the jawth server. Check the connection and try again.');
    }
    if (res.ok) return res;
    const error = await readError(res);
    if (res.status === 401 && !call.anonymous) this.options.onUnauthorized?.();
    throw error;
  }
}

/** A route the server does not have answers 404 "No route for …" (an unknown resource says otherwise). */
function isMissingRoute(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404 && /^No route/.test(error.message);
}

function queryString(query: Call['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function readError(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object' && 'error' in body && 'message' in body) {
    const { error, message, details } = body as { error: unknown; message: unknown; details?: unknown };
    return new ApiError(
      res.status,
      String(error),
      String(message),
      Array.isArray(details) ? (details as FieldProblem[]) : [],
    );
  }
  return new ApiError(res.status, 'http_error', `The server answered ${res.status} ${res.statusText}`.trim() + '.');
}

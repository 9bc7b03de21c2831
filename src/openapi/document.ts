import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { createApplicationSchema, rotateSecretSchema, updateApplicationSchema } from '../schemas/application.schema';
import { auditEntrySchema, auditQuerySchema } from '../schemas/audit.schema';
import { paginationSchema } from '../schemas/common.schema';
import { adminLoginSchema, adminSetupResultSchema, adminSetupSchema } from '../schemas/admin.schema';
import { createGroupSchema } from '../schemas/group.schema';
import {
  adminSessionSchema,
  applicationSchema,
  errorSchema,
  groupSchema,
  indexSchema,
  loginResultSchema,
  orgSchema,
  rotatedSchema,
  sessionSchema,
  statusSchema,
  tokenSchema,
  userSchema,
} from '../schemas/responses.schema';
import { quidAccessSchema, quidRefreshSchema, rotateRefreshSchema } from '../schemas/token.schema';
import {
  changePasswordSchema,
  createAnyUserSchema,
  createUserSchema,
  loginSchema,
  updateUserSchema,
} from '../schemas/user.schema';

type Method = RouteConfig['method'];

/** One operation: the same zod schemas the routes validate with. */
interface Operation {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  admin?: boolean;
  body?: z.ZodType;
  query?: z.ZodObject;
  answer?: z.ZodType;
  status?: number;
  list?: boolean;
  /** Answers text/plain rather than JSON. */
  text?: boolean;
}

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const app = z.object({ app: z.string() });
const name = z.object({ name: z.string() });
const uid = z.object({ uid: z.string() });
const appUser = z.object({ app: z.string(), username: z.string() });
const showApplication = z.object({ include_secret: z.enum(['true', 'false']).optional() });
const allUsersQuery = paginationSchema.extend({ app: z.string().optional() });

const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/',
    summary: 'Where things are (a browser is redirected to /admin/ with 302)',
    tag: 'operations',
    answer: indexSchema,
  },
  { method: 'get', path: '/health', summary: 'The process is up', tag: 'operations', answer: statusSchema },
  {
    method: 'get',
    path: '/ready',
    summary: 'The database answers (503 if not)',
    tag: 'operations',
    answer: statusSchema,
  },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', tag: 'operations', answer: z.string(), text: true },
  { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'operations', answer: z.object({}) },
  {
    method: 'get',
    path: '/audit',
    summary: 'The audit log, newest first',
    tag: 'audit',
    admin: true,
    query: auditQuerySchema,
    answer: auditEntrySchema,
    list: true,
  },
  {
    method: 'get',
    path: '/applications',
    summary: 'List applications',
    tag: 'applications',
    admin: true,
    query: paginationSchema,
    answer: applicationSchema,
    list: true,
  },
  {
    method: 'post',
    path: '/applications',
    summary: 'Create an application (answer carries its secret)',
    tag: 'applications',
    admin: true,
    body: createApplicationSchema,
    answer: applicationSchema,
    status: 201,
  },
  {
    method: 'get',
    path: '/applications/{name}',
    summary: 'One application',
    tag: 'applications',
    admin: true,
    query: showApplication,
    answer: applicationSchema,
  },
  {
    method: 'patch',
    path: '/applications/{name}',
    summary: 'Change an application',
    tag: 'applications',
    admin: true,
    body: updateApplicationSchema,
    answer: applicationSchema,
  },
  {
    method: 'delete',
    path: '/applications/{name}',
    summary: 'Delete an application and its users',
    tag: 'applications',
    admin: true,
    status: 204,
  },
  {
    method: 'post',
    path: '/applications/{name}/rotate_secret',
    summary: 'Rotate the secret',
    tag: 'applications',
    admin: true,
    body: rotateSecretSchema,
    answer: applicationSchema,
  },
  {
    method: 'get',
    path: '/users',
    summary: 'All users',
    tag: 'users',
    admin: true,
    query: allUsersQuery,
    answer: userSchema,
    list: true,
  },
  {
    method: 'post',
    path: '/users',
    summary: 'Create a user in the named application',
    tag: 'users',
    admin: true,
    body: createAnyUserSchema,
    answer: userSchema,
    status: 201,
  },
  { method: 'get', path: '/users/{uid}', summary: 'One user by uid', tag: 'users', admin: true, answer: userSchema },
  {
    method: 'patch',
    path: '/users/{uid}',
    summary: 'Change a user by uid',
    tag: 'users',
    admin: true,
    body: updateUserSchema,
    answer: userSchema,
  },
  { method: 'delete', path: '/users/{uid}', summary: 'Delete a user by uid', tag: 'users', admin: true, status: 204 },
  {
    method: 'get',
    path: '/{app}/users',
    summary: 'Users of one application',
    tag: 'users',
    admin: true,
    query: paginationSchema,
    answer: userSchema,
    list: true,
  },
  {
    method: 'post',
    path: '/{app}/users',
    summary: 'Create a user',
    tag: 'users',
    admin: true,
    body: createUserSchema,
    answer: userSchema,
    status: 201,
  },
  {
    method: 'get',
    path: '/{app}/users/{username}',
    summary: 'One user',
    tag: 'users',
    admin: true,
    answer: userSchema,
  },
  {
    method: 'patch',
    path: '/{app}/users/{username}',
    summary: 'Change a user (a new password or disabled revokes sessions)',
    tag: 'users',
    admin: true,
    body: updateUserSchema,
    answer: userSchema,
  },
  {
    method: 'delete',
    path: '/{app}/users/{username}',
    summary: 'Delete a user',
    tag: 'users',
    admin: true,
    status: 204,
  },
  {
    method: 'get',
    path: '/{app}/users/{username}/sessions',
    summary: "The user's live sessions (one per refresh family), newest first",
    tag: 'users',
    admin: true,
    query: paginationSchema,
    answer: sessionSchema,
    list: true,
  },
  {
    method: 'delete',
    path: '/{app}/users/{username}/sessions/{id}',
    summary: 'Revoke one session (refresh family) of the user',
    tag: 'users',
    admin: true,
    status: 204,
  },
  {
    method: 'delete',
    path: '/{app}/users/{username}/sessions',
    summary: "Revoke the user's sessions",
    tag: 'users',
    admin: true,
    status: 204,
  },
  {
    method: 'post',
    path: '/{app}/login',
    summary: 'Log in (brute-force limited: 429 rate_limited with Retry-After)',
    tag: 'public',
    body: loginSchema,
    answer: loginResultSchema,
  },
  {
    method: 'post',
    path: '/{app}/{username}/change_password',
    summary: 'Change a password with the token of the latest login',
    tag: 'public',
    body: changePasswordSchema,
    answer: loginResultSchema,
  },
  // Groups (per application) and orgs (global), contract §3.5.
  {
    method: 'get',
    path: '/{app}/groups',
    summary: 'Groups of an application',
    tag: 'groups',
    admin: true,
    query: paginationSchema,
    answer: groupSchema,
    list: true,
  },
  {
    method: 'post',
    path: '/{app}/groups',
    summary: 'Create a group',
    tag: 'groups',
    admin: true,
    body: createGroupSchema,
    answer: groupSchema,
    status: 201,
  },
  {
    method: 'delete',
    path: '/{app}/groups/{group}',
    summary: 'Delete a group (its members leave it)',
    tag: 'groups',
    admin: true,
    status: 204,
  },
  {
    method: 'get',
    path: '/{app}/groups/{group}/users',
    summary: 'Members of a group',
    tag: 'groups',
    admin: true,
    query: paginationSchema,
    answer: userSchema,
    list: true,
  },
  {
    method: 'get',
    path: '/orgs',
    summary: 'Orgs',
    tag: 'groups',
    admin: true,
    query: paginationSchema,
    answer: orgSchema,
    list: true,
  },
  {
    method: 'post',
    path: '/orgs',
    summary: 'Create an org',
    tag: 'groups',
    admin: true,
    body: createGroupSchema,
    answer: orgSchema,
    status: 201,
  },
  {
    method: 'delete',
    path: '/orgs/{org}',
    summary: 'Delete an org (its members leave it)',
    tag: 'groups',
    admin: true,
    status: 204,
  },
  {
    method: 'get',
    path: '/orgs/{org}/users',
    summary: 'Members of an org, across applications',
    tag: 'groups',
    admin: true,
    query: paginationSchema,
    answer: userSchema,
    list: true,
  },
  // Quid's tokens and rotating refresh, contract §4.3 and §4.4.
  ...['/token/refresh', '/token/refresh/{ttl}'].map((path): Operation => ({
    method: 'post',
    path,
    summary: 'A refresh token for credentials (ttl ≤ refresh_ttl_max; brute-force limited)',
    tag: 'public',
    body: quidRefreshSchema,
    answer: tokenSchema,
  })),
  ...['/token/access', '/token/access/{ttl}'].map((path): Operation => ({
    method: 'post',
    path,
    summary: 'An access token for a refresh token (ttl ≤ access_ttl_max)',
    tag: 'public',
    body: quidAccessSchema,
    answer: tokenSchema,
  })),
  {
    method: 'post',
    path: '/{app}/refresh',
    summary: 'Rotate a refresh token (reuse after the grace revokes its family)',
    tag: 'public',
    body: rotateRefreshSchema,
    answer: rotatedSchema,
  },
  // Admin sessions and the console, contract §3.1 and §3.7.
  {
    method: 'post',
    path: '/admin/login',
    summary: 'Log an admin in: a console session token',
    tag: 'admin',
    body: adminLoginSchema,
    answer: adminSessionSchema,
  },
  {
    method: 'post',
    path: '/admin/setup',
    summary:
      'First run: create the first admin account with the one-time setup link (401 wrong/used/expired, 409 once one exists)',
    tag: 'admin',
    body: adminSetupSchema,
    answer: adminSetupResultSchema,
    status: 201,
  },
  { method: 'post', path: '/admin/logout', summary: 'End the console session', tag: 'admin', admin: true, status: 204 },
  {
    method: 'get',
    path: '/admin/{splat}',
    summary: 'The admin console (HTML, scripts, styles)',
    tag: 'admin',
    answer: z.string(),
    text: true,
  },
];

/** Path parameters, read from the `{name}` segments. */
function pathParams(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (names.length === 0) return undefined;
  const known: Record<string, z.ZodObject> = { app, name, uid };
  if (names.join() === 'app,username') return appUser;
  return known[names.join()] ?? z.object(Object.fromEntries(names.map((n) => [n, z.string()])));
}

function register(registry: OpenAPIRegistry, op: Operation): void {
  const status = op.status ?? 200;
  const answer = op.answer && (op.list ? z.array(op.answer) : op.answer);
  const params = pathParams(op.path);
  registry.registerPath({
    method: op.method,
    path: op.path,
    summary: op.summary,
    tags: [op.tag],
    ...(op.admin ? { security: [{ signedRequest: [] }, { bearer: [] }] } : {}),
    request: {
      ...(params ? { params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.body ? { body: { content: json(op.body) } } : {}),
    },
    responses: {
      [status]: {
        description: op.list ? 'A list; the total is in X-Total-Count' : 'Success',
        ...(answer && status !== 204 ? { content: op.text ? { 'text/plain': { schema: answer } } : json(answer) } : {}),
      },
      default: { description: 'An error', content: json(errorSchema) },
    },
  });
}

/** The OpenAPI 3.1 description of every route (contract §4.6). */
export function openApiDocument(version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'signedRequest', {
    type: 'apiKey',
    in: 'header',
    name: 'auth',
    description:
      '`jwt <token>`: HS256 signed with SECRET_KEY, payload {password, data, iat, exp} and optionally ' +
      'htm (method), htu (path with query, or absolute URL of this server) and jti (one use)',
  });
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const op of OPERATIONS) register(registry, op);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'jawth', version, description: 'Self-hosted JWT authenticator (see the contract, API.md).' },
  });
}

import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { openApiDocument } from '../openapi/document';
import { APP_KEY_REFUSED_ACTION } from '../../services/application-key.service';
import { DATA_MOVE_ACTIONS, REFRESH_REUSE_ACTION } from '../../services/audit.service';
import { defineRoute, type Route } from '../route';
import { adminRoutes } from './admin.routes';
import { applicationKeyRoutes } from './application-keys.routes';
import { applicationRoutes } from './applications.routes';
import { auditRoutes } from './audit.routes';
import { groupRoutes } from './groups.routes';
import { loginRoutes } from './login.routes';
import { mfaRoutes } from './mfa.routes';
import { operationRoutes } from './operations.routes';
import { signupRoutes } from './signup.routes';
import { statsRoutes } from './stats.routes';
import { tokenRoutes } from './tokens.routes';
import { userRoutes } from './users.routes';
import { webhookRoutes } from './webhooks.routes';

/**
 * Every route of the HTTP API, in the order Express tries them: token issuance first (most of
 * the traffic, tried before forty others), and fixed paths before the `/:app/...` shapes they
 * would also match (`/admin/login`, `/token/refresh`; tests/unit/route-table.test.ts checks it).
 */
const RESOURCES: Route[] = [
  ...operationRoutes,
  ...auditRoutes,
  ...statsRoutes,
  ...adminRoutes,
  ...applicationRoutes,
  ...applicationKeyRoutes,
  ...webhookRoutes,
  ...userRoutes,
  ...groupRoutes,
  ...loginRoutes,
  ...mfaRoutes,
  ...signupRoutes,
];
const appShaped = (route: Route) => route.path.startsWith('/:app/');
const API: Route[] = [
  ...tokenRoutes,
  ...RESOURCES.filter((route) => !appShaped(route)),
  ...RESOURCES.filter(appShaped),
];

/** Every action the audit log may hold: the routes', the token service's and the CLI's. */
export const AUDIT_ACTIONS = [
  ...new Set([
    ...API.flatMap((route) => route.audit ?? []),
    REFRESH_REUSE_ACTION,
    APP_KEY_REFUSED_ACTION,
    ...DATA_MOVE_ACTIONS,
  ]),
].sort();

// package.json sits three folders up from both src/http/routes and dist/http/routes.
const { version } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  version: string;
};
let document: ReturnType<typeof openApiDocument> | undefined;

/** The API and the two routes that describe it (after it: they are seldom asked for). */
export const ROUTES: Route[] = [
  ...API,
  defineRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document (OpenAPI 3.1), built from the routes themselves',
    tag: 'operations',
    response: z.object({}).loose(),
    handle: () => (document ??= openApiDocument(ROUTES, version)) as unknown as Record<string, unknown>,
  }),
  defineRoute({
    method: 'get',
    path: '/audit/actions',
    operationId: 'listAuditActions',
    summary: 'Every action the audit log may hold, for filters',
    tag: 'audit',
    auth: 'admin',
    response: z.array(z.string()),
    handle: () => AUDIT_ACTIONS,
  }),
];

import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ErrorCode } from '../errors';
import type { AppKeyScope } from '../schemas/application-key.schema';
import type { AppDeps } from './app-deps';
import type { Principal } from '../services/principal';
import type { Client } from './client';

type Schema = z.ZodType;
type Method = 'get' | 'post' | 'patch' | 'delete';

/** What a handler answers: a list with its total, one item of `response`, or nothing (204). */
export type Answer<R, L> = L extends Schema
  ? { items: z.input<L>[]; total: number }
  : R extends Schema
    ? z.input<R>
    : undefined;

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
  deps: AppDeps;
  /** The route's audit action, for the credential checks that record their own attempts. */
  action: string;
  /** Who calls an admin route (set by its credential check); undefined on public routes. */
  principal: Principal | undefined;
  /** The caller's IP (through TRUST_PROXY) and user agent. */
  client: Client;
}

/**
 * One route, declared once: the router, the OpenAPI document, the audit log's action names, CORS
 * and the request log are all derived from these declarations.
 */
export interface Route<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
  R extends Schema | undefined = Schema | undefined,
  L extends Schema | undefined = Schema | undefined,
> {
  method: Method;
  /** An Express 5 path: `/:app/users`, `/token/access{/:ttl}` (an optional segment). */
  path: string;
  /**
   * The operation's name in the OpenAPI document and the console's client (`listUsers`), unique
   * across the table; a path with an optional segment is two operations, the second named with
   * `With` and the segment's parameter (`issueAccessTokenWithTtl`).
   */
  operationId: string;
  summary: string;
  tag: 'operations' | 'admin' | 'applications' | 'users' | 'groups' | 'audit' | 'public';
  /** `admin`: a signed admin request or a console session; the body is the request's `data`. */
  auth?: 'admin';
  /**
   * An application key (`Authorization: AppKey <key>`) with this scope may call this admin route
   * too, for the application of the path's `:app` only. Without it, a key is refused (403).
   */
  appKey?: AppKeyScope;
  /**
   * A credential a public route reads from the Authorization header itself: `userToken` (a
   * user's access token) or `adminSession` (a console session token). The OpenAPI document
   * declares it as the operation's security.
   */
  credential?: 'userToken' | 'adminSession';
  params?: P;
  query?: Q;
  body?: B;
  /** The answer's shape (one object), or `list`: the item shape of an array with X-Total-Count. */
  response?: R;
  list?: L;
  status?: number;
  /** Answers text/plain rather than JSON. */
  text?: boolean;
  /** The audit log's name for this action: admin changes are recorded by it, credential checks use it. */
  audit?: string;
  /** An admin read recorded only when this holds (reading a secret), or when made with an application key. */
  auditIf?: (req: Request) => boolean;
  /**
   * Whose origins a browser may call this from: `application` (the `:app` of the path),
   * `token` (the application named in the body), or by default the admin's CORS_ORIGINS.
   */
  cors?: 'application' | 'token';
  /** Answers carry tokens: never stored by a browser or a proxy, refusals included. */
  noStore?: boolean;
  /** Token issuance: successes log at debug, being most of the traffic. */
  hot?: boolean;
  /** quidjs posts JSON as text/plain or with no content type: read any body as JSON. */
  anyContentType?: boolean;
  /**
   * The error codes of this route's own refusals (`user_not_found`, `invalid_credentials`…);
   * `answerableCodes` adds those every route, or every admin route, may answer.
   */
  errors?: readonly ErrorCode[];
  handle(
    input: RouteInput<
      P extends Schema ? z.output<P> : Record<string, string>,
      Q extends Schema ? z.output<Q> : Record<string, unknown>,
      B extends Schema ? z.output<B> : unknown
    >,
  ): Promise<Answer<R, L> | undefined> | Answer<R, L> | undefined;
}

/** Declares a route; the identity, there to infer the handler's types from the schemas. */
export function defineRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  R extends Schema | undefined = undefined,
  L extends Schema | undefined = undefined,
>(route: Route<P, Q, B, R, L>): Route {
  return route as unknown as Route;
}

/** What any route may answer: a body that cannot be read, a database away, a fault of ours. */
const ANY_ROUTE: readonly ErrorCode[] = [
  'validation_failed',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
  'internal_error',
  'service_unavailable',
];

/** What the admin credential check may answer (docs/api.md, Authenticating admin requests). */
const ADMIN_ROUTE: readonly ErrorCode[] = ['unauthorized', 'forbidden', 'unsigned_body', 'body_mismatch'];

/** Every error code a route may answer, its own and its machinery's: the OpenAPI document lists them. */
export function answerableCodes(route: Route): ErrorCode[] {
  const machinery = route.auth === 'admin' ? [...ANY_ROUTE, ...ADMIN_ROUTE] : ANY_ROUTE;
  return [...new Set([...machinery, ...(route.errors ?? [])])];
}

/** The declaration of the route that answered (or refused) this request, if one matched. */
export function routeOf(res: Pick<Response, 'locals'>): Route | undefined {
  return (res.locals as { route?: Route } | undefined)?.route;
}

/** The path parameters as matched, kept for the audit log: Express drops them after a refusal. */
export function paramsOf(res: Pick<Response, 'locals'>): Record<string, string> {
  return (res.locals as { params?: Record<string, string> }).params ?? {};
}

import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../errors';
import type { AppDeps } from './app-deps';
import { clientOf } from './client';
import { adminAuth, principalOf } from './middleware/admin-auth';
import { auditAdminRequest } from './middleware/audit-admin';
import { routeCors } from './middleware/cors';
import type { Route } from './route';
import { parse } from './validate';

/*
 * The router built from the declarations of route.ts. Apart from them, so that the middleware
 * it chains may read a route's declaration without importing this file back.
 */

function send(route: Route, res: Response, answer: unknown): void {
  if (res.headersSent) return;
  if (answer === undefined) {
    res.status(route.status ?? 204).end();
  } else if (route.list) {
    const { items, total } = answer as { items: unknown[]; total: number };
    res.setHeader('X-Total-Count', String(total));
    res.status(route.status ?? 200).json(items);
  } else if (route.text) {
    res.status(route.status ?? 200).send(answer);
  } else {
    res.status(route.status ?? 200).json(answer);
  }
}

/**
 * A body the JSON parser skipped (a form, text) on a public route: refused in words rather than
 * as missing fields. (An admin route's input is the signed token's data; its body is not read.)
 */
function assertJsonBody(route: Route, req: Request): void {
  if (!route.body || route.anyContentType || route.auth === 'admin') return;
  if (req.get('content-length') === '0' || req.is('application/json') !== false) return;
  throw new AppError(
    'unsupported_media_type',
    `Send the body as JSON, with Content-Type: application/json (not ${req.get('content-type') ?? 'none'}).`,
  );
}

function handler(route: Route, deps: AppDeps): RequestHandler {
  return async (req, res) => {
    assertJsonBody(route, req);
    const params = route.params ? parse(route.params, req.params) : req.params;
    const query = route.query ? parse(route.query, req.query) : req.query;
    const given: unknown = route.auth === 'admin' ? res.locals.data : req.body;
    const body = route.body ? parse(route.body, given) : given;
    const action = route.audit ?? `${route.method.toUpperCase()} ${route.path}`;
    const input = { params, query, body, req, res, deps, action, principal: principalOf(res), client: clientOf(req) };
    send(route, res, await route.handle(input as never));
  };
}

/** The router of every declared route, each with the middleware its declaration asks for. */
export function mountRoutes(routes: Route[], deps: AppDeps, securityHeaders: RequestHandler): Router {
  const router = Router({ caseSensitive: true });
  const anyJson = express.json({ limit: deps.config.bodyLimit, type: () => true });
  const preflights = new Set<string>();
  for (const route of routes) {
    const cors = routeCors(route, deps);
    if (!preflights.has(route.path)) {
      preflights.add(route.path);
      router.options(route.path, cors);
    }
    const chain: RequestHandler[] = [
      (req, res, next) => {
        res.locals.route = route;
        res.locals.params = { ...req.params };
        if (route.noStore) res.setHeader('Cache-Control', 'no-store');
        next();
      },
      cors,
    ];
    if (!route.hot) chain.push(securityHeaders);
    if (route.anyContentType) chain.push(anyJson);
    if (route.auth === 'admin') {
      chain.push(auditAdminRequest(route, deps));
      chain.push(adminAuth(deps, route.appKey));
    }
    chain.push(handler(route, deps));
    router[route.method](route.path, ...chain);
  }
  return router;
}

import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../errors';
import { answerableCodes, type Route } from './route';
import { errorSchema } from '../schemas/responses.schema';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

/** The OpenAPI paths of an Express path: `/token/access{/:ttl}` is two, `/:app/users` is `/{app}/users`. */
export function openApiPaths(path: string): string[] {
  const optional = /\{([^}]*)\}/.exec(path);
  if (optional) {
    const [group, inner] = optional;
    return [...openApiPaths(path.replace(group, '')), ...openApiPaths(path.replace(group, inner))];
  }
  return [path.replace(/[:*](\w+)/g, '{$1}')];
}

/** The path parameters of one OpenAPI path, with the route's schema for each (always required). */
function pathParams(route: Route, path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (names.length === 0) return undefined;
  const declared = route.params instanceof z.ZodObject ? (route.params.shape as Record<string, z.ZodType>) : {};
  const schemaOf = (name: string) => {
    const schema = declared[name] ?? z.string();
    return schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  };
  return z.object(Object.fromEntries(names.map((name) => [name, schemaOf(name)])));
}

/** The route's error answers by status, each with the codes it may carry (src/errors.ts, the catalogue). */
function errorResponses(route: Route) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of answerableCodes(route)) {
    const { status } = ERRORS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const statuses = [...byStatus.keys()].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const codes = byStatus.get(status) as [ErrorCode, ...ErrorCode[]];
      const schema = errorSchema.extend({ error: z.enum(codes) });
      return [status, { description: codes.map((code) => `\`${code}\``).join(', '), content: json(schema) }];
    }),
  );
}

function register(registry: OpenAPIRegistry, route: Route, path: string): void {
  const status = route.status ?? (route.response || route.list ? 200 : 204);
  const answer = route.list ? z.array(route.list) : route.response;
  const params = pathParams(route, path);
  registry.registerPath({
    method: route.method,
    path,
    summary: route.summary,
    tags: [route.tag],
    ...(route.auth === 'admin'
      ? { security: [{ signedRequest: [] }, { bearer: [] }, ...(route.appKey ? [{ appKey: [route.appKey] }] : [])] }
      : {}),
    ...(route.appKey ? { 'x-app-key-scope': route.appKey } : {}),
    ...(route.audit ? { 'x-audit-action': route.audit } : {}),
    request: {
      ...(params ? { params } : {}),
      ...(route.query instanceof z.ZodObject ? { query: route.query } : {}),
      ...(route.body ? { body: { content: json(route.body) } } : {}),
    },
    responses: {
      [status]: {
        description: route.list ? 'A list; the total is in X-Total-Count' : 'Success',
        ...(answer ? { content: route.text ? { 'text/plain': { schema: answer } } : json(answer) } : {}),
      },
      ...errorResponses(route),
    },
  });
}

/** The OpenAPI 3.1 description of every route, from the routes' own declarations. */
export function openApiDocument(routes: Route[], version: string) {
  // Loaded at the first GET /openapi.json, not by every server that never serves it (bench/README.md, idle).
  const { OpenAPIRegistry, OpenApiGeneratorV31 } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@asteasolutions/zod-to-openapi') as typeof import('@asteasolutions/zod-to-openapi');
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
  registry.registerComponent('securitySchemes', 'appKey', {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: "`AppKey <key>`: an application key, on its application's user routes within its scopes",
  });
  for (const route of routes) for (const path of openApiPaths(route.path)) register(registry, route, path);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'jawth',
      version,
      description: 'Self-hosted JWT authenticator. The guide to this API is docs/api.md in the repository.',
    },
  });
}

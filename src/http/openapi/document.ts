import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../../errors';
import { answerableCodes, type Route } from '../route';
import { errorSchema } from '../../schemas/responses.schema';
import { schemaNames } from './schema-names';
import { SECURITY_SCHEMES, TAGS } from './metadata';

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

const parameterNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * The route's operations, one per OpenAPI path, each with its operationId: the route's own for
 * the path without its optional segments, and `…With<Param>` for a path that has them
 * (`issueAccessToken`, `issueAccessTokenWithTtl`).
 */
export function openApiOperations(route: Route): { path: string; operationId: string }[] {
  const paths = openApiPaths(route.path);
  const required = new Set(parameterNames(paths[0]));
  return paths.map((path) => {
    const optional = parameterNames(path).filter((name) => !required.has(name));
    return { path, operationId: route.operationId + optional.map((name) => `With${capitalised(name)}`).join('') };
  });
}

/** The path parameters of one OpenAPI path, with the route's schema for each (always required). */
function pathParams(route: Route, path: string): z.ZodObject | undefined {
  const names = parameterNames(path);
  if (names.length === 0) return undefined;
  const declared = route.params instanceof z.ZodObject ? (route.params.shape as Record<string, z.ZodType>) : {};
  const schemaOf = (name: string) => {
    const schema = declared[name] ?? z.string();
    return schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  };
  return z.object(Object.fromEntries(names.map((name) => [name, schemaOf(name)])));
}

/** Who may call the route: an admin credential, the credential it reads itself, or anyone (`[]`). */
function security(route: Route): Record<string, string[]>[] {
  if (route.auth === 'admin') {
    return [{ signedRequest: [] }, { adminSession: [] }, ...(route.appKey ? [{ appKey: [route.appKey] }] : [])];
  }
  return route.credential ? [{ [route.credential]: [] }] : [];
}

/**
 * The schemas of the document's components, each registered once under one name: its export
 * name in src/schemas/ (`userSchema` is `User`), or, for a schema written in a route, the
 * operation's name and its role (`GetOpenApiDocumentResponse`).
 */
class Components {
  private readonly named = new Map<z.ZodType, z.ZodType>();
  private readonly taken = new Set<string>();

  /** The schema as registered: the document refers to it with `$ref`. */
  ref(schema: z.ZodType, fallback: string): z.ZodType {
    const known = this.named.get(schema);
    if (known) return known;
    const name = schemaNames().get(schema) ?? fallback;
    if (this.taken.has(name)) throw new Error(`two schemas are both named ${name} in the OpenAPI document`);
    this.taken.add(name);
    // zod-to-openapi's `.openapi(name)` (a copy of the schema carrying the name), called as a
    // function: not every zod 4 schema made before `extendZodWithOpenApi` inherits it (unions do
    // not). The generator adds a named schema to the components where an operation refers to it.
    const openapi = (z.ZodType.prototype as unknown as { openapi: (this: z.ZodType, name: string) => z.ZodType })
      .openapi;
    const registered = openapi.call(schema, name);
    this.named.set(schema, registered);
    return registered;
  }
}

/** The route's error answers by status, each with the codes it may carry (src/errors.ts, the catalogue). */
function errorResponses(route: Route, components: Components) {
  const error = components.ref(errorSchema, 'Error') as typeof errorSchema;
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of answerableCodes(route)) {
    const { status } = ERRORS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const statuses = [...byStatus.keys()].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const codes = byStatus.get(status) as [ErrorCode, ...ErrorCode[]];
      const schema = error.extend({ error: z.enum(codes) });
      return [status, { description: codes.map((code) => `\`${code}\``).join(', '), content: json(schema) }];
    }),
  );
}

function register(
  registry: OpenAPIRegistry,
  components: Components,
  route: Route,
  { path, operationId }: { path: string; operationId: string },
): void {
  const status = route.status ?? (route.response || route.list ? 200 : 204);
  const named = capitalised(route.operationId);
  const answer = route.list
    ? z.array(components.ref(route.list, `${named}Item`))
    : route.response && components.ref(route.response, `${named}Response`);
  const params = pathParams(route, path);
  registry.registerPath({
    method: route.method,
    path,
    operationId,
    summary: route.summary,
    tags: [route.tag],
    security: security(route),
    ...(route.appKey ? { 'x-app-key-scope': route.appKey } : {}),
    ...(route.audit ? { 'x-audit-action': route.audit } : {}),
    request: {
      ...(params ? { params } : {}),
      ...(route.query instanceof z.ZodObject ? { query: route.query } : {}),
      ...(route.body ? { body: { content: json(components.ref(route.body, `${named}Request`)) } } : {}),
    },
    responses: {
      [status]: {
        description: route.list ? 'A list; the total is in X-Total-Count' : 'Success',
        ...(route.list ? { headers: { 'X-Total-Count': { schema: { type: 'integer' } } } } : {}),
        ...(answer ? { content: route.text ? { 'text/plain': { schema: answer } } : json(answer) } : {}),
      },
      ...errorResponses(route, components),
    },
  });
}

/** The OpenAPI 3.1 description of every route, from the routes' own declarations. */
export function openApiDocument(routes: Route[], version: string) {
  // Loaded at the first GET /openapi.json, not by every server that never serves it (bench/README.md, idle).
  const { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@asteasolutions/zod-to-openapi') as typeof import('@asteasolutions/zod-to-openapi');
  // `registry.register` names a schema through `.openapi(name)`, which this adds to zod (once).
  extendZodWithOpenApi(z);
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    registry.registerComponent('securitySchemes', name, scheme);
  }
  const components = new Components();
  for (const route of routes) {
    for (const operation of openApiOperations(route)) register(registry, components, route, operation);
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'jawth',
      version,
      description:
        'Self-hosted JWT authenticator: applications with their own HS256 secrets, their users, and ' +
        'the admin API that manages them. The guide to this API is docs/api.md in the repository; ' +
        'GET /docs shows this document as a page.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // The server that serves this document: its paths are relative to it.
    servers: [{ url: '/', description: 'This jawth server' }],
    tags: TAGS,
  });
}

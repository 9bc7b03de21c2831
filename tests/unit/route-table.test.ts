import { openApiOperations, openApiPaths } from '../../src/http/openapi/document';
import { ROUTES } from '../../src/http/routes';
import { RESERVED_NAMES } from '../../src/schemas/common.schema';

const segments = (path: string) => path.split('/').slice(1);
const isParam = (segment: string) => /^\{\w+\}$/.test(segment);

/** Whether one concrete request could match both paths (a parameter matches any segment). */
function overlap(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i] || isParam(s) || isParam(b[i]));
}

describe('the route table', () => {
  it('declares each method and path once', () => {
    const keys = ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it('names every route with an operationId of its own, and every operation of a route with an optional segment apart', () => {
    const ids = ROUTES.flatMap((route) => openApiOperations(route).map((operation) => operation.operationId));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids.filter((id) => !/^[a-z][A-Za-z]*$/.test(id))).toEqual([]);
    expect(ids.length).toBe(ROUTES.flatMap((route) => openApiPaths(route.path)).length);
    const ttl = ROUTES.find((route) => route.path === '/token/refresh{/:ttl}');
    expect(ttl && openApiOperations(ttl)).toEqual([
      { path: '/token/refresh', operationId: 'issueRefreshToken' },
      { path: '/token/refresh/{ttl}', operationId: 'issueRefreshTokenWithTtl' },
    ]);
  });

  it('reserves, as application names, the first segment of every fixed path an application path could also match', () => {
    const expanded = ROUTES.flatMap((route) => openApiPaths(route.path).map((path) => ({ route, path })));
    const appPaths = expanded.filter(({ path }) => path.startsWith('/{app}/'));
    const needed = new Set<string>();
    for (const fixed of expanded.filter(({ path }) => !isParam(segments(path)[0]))) {
      const clash = appPaths.some(
        (app) => app.route.method === fixed.route.method && overlap(segments(app.path), segments(fixed.path)),
      );
      if (clash) needed.add(segments(fixed.path)[0]);
    }
    expect(needed.size).toBeGreaterThan(2);
    expect([...needed].filter((name) => !RESERVED_NAMES.has(name))).toEqual([]);
  });

  it('tries every fixed path before the application paths it overlaps, so that no application shadows it', () => {
    const expanded = ROUTES.flatMap((route, index) => openApiPaths(route.path).map((path) => ({ route, path, index })));
    const shadowed = expanded.flatMap((fixed) =>
      isParam(segments(fixed.path)[0])
        ? []
        : expanded
            .filter((app) => app.path.startsWith('/{app}/') && app.route.method === fixed.route.method)
            .filter((app) => overlap(segments(app.path), segments(fixed.path)) && app.index < fixed.index)
            .map((app) => `${fixed.path} after ${app.path}`),
    );
    expect(shadowed).toEqual([]);
  });

  it('gives the routes of one path one CORS policy (their preflight is shared)', () => {
    const policy = new Map<string, string | undefined>();
    for (const route of ROUTES) {
      if (!policy.has(route.path)) policy.set(route.path, route.cors);
      expect([route.path, route.cors]).toEqual([route.path, policy.get(route.path)]);
    }
  });

  it('gives every admin change an audit action, and no route an admin-only flag it cannot use', () => {
    const changes = ROUTES.filter((route) => route.auth === 'admin' && route.method !== 'get');
    expect(changes.filter((route) => !route.audit).map((route) => route.path)).toEqual([]);
    expect(ROUTES.filter((route) => route.auditIf && route.auth !== 'admin')).toEqual([]);
  });
});

import type { Route } from '../route';
import { openApiOperations } from './document';

export const OPERATIONS_MODULE = 'web/src/api/operations.ts';

/** Every operation of the route table by operationId: its method and its OpenAPI path (`/{app}/users`). */
export function operationTable(routes: Route[]): Record<string, { method: string; path: string }> {
  const entries = routes.flatMap((route) =>
    openApiOperations(route).map(({ path, operationId }) => [
      operationId,
      { method: route.method.toUpperCase(), path },
    ]),
  );
  return Object.fromEntries(entries.sort(([a], [b]) => String(a).localeCompare(String(b))));
}

/**
 * The console's copy of the table (web/src/api/operations.ts): plain data, so that the console
 * imports no server code. `npm run generate:operations` writes it; a test fails when it is stale.
 */
export function operationsModule(routes: Route[]): string {
  const lines = Object.entries(operationTable(routes)).map(
    ([id, { method, path }]) => `  ${id}: { method: '${method}', path: '${path}' },`,
  );
  return [
    '// Generated from the route table (src/http/routes/) by `npm run generate:operations`: do not edit.',
    '// tests/unit/console-operations.test.ts fails when it differs from the table.',
    '',
    '/** Every operation of the API by operationId: its method and its path, parameters in braces. */',
    'export const OPERATIONS = {',
    ...lines,
    '} as const;',
    '',
  ].join('\n');
}

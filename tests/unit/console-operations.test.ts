import fs from 'node:fs';
import path from 'node:path';
import { ROUTES } from '../../src/http/routes';
import { OPERATIONS_MODULE, operationsModule } from '../../src/http/openapi/operations-module';
import { operation } from '../../web/src/api/client';
import { OPERATIONS } from '../../web/src/api/operations';

// The console calls operations by operationId through a table generated from the route table:
// it writes no path of its own, and the table cannot drift from the routes.
describe("the console's table of operations", () => {
  it('is the route table as it is now (else run `npm run generate:operations`)', () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../..', OPERATIONS_MODULE), 'utf8');
    expect(committed).toBe(operationsModule(ROUTES));
  });

  it('is plain data: the console imports nothing from the server through it', () => {
    const source = fs.readFileSync(path.resolve(__dirname, '../..', OPERATIONS_MODULE), 'utf8');
    expect(source).not.toMatch(/^import /m);
    expect(Object.keys(OPERATIONS).length).toBe(ROUTES.length + 2);
  });

  it('builds a path from an operationId, each parameter encoded', () => {
    expect(operation('listUsers', { app: 'shop' })).toEqual({ method: 'GET', path: '/shop/users' });
    expect(operation('revokeSession', { app: 'shop', username: 'a/b c', id: '7' })).toEqual({
      method: 'DELETE',
      path: '/shop/users/a%2Fb%20c/sessions/7',
    });
    expect(operation('issueAccessTokenWithTtl', { ttl: '5m' })).toEqual({ method: 'POST', path: '/token/access/5m' });
    expect(operation('listApplications')).toEqual({ method: 'GET', path: '/applications' });
  });
});

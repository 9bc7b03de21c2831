import request from 'supertest';
import { ERRORS } from '../../src/errors';
import { answerableCodes } from '../../src/http/route';
import { ROUTES } from '../../src/http/routes';
import { openApiPaths } from '../../src/http/openapi/document';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication } from '../helpers/factories';

// docs/api.md, Error codes: one catalogue; each route declares the codes it may answer, and the
// OpenAPI document lists them per status. (Every test context also fails its file when a route
// answers a code it does not declare: tests/helpers/context.ts.)
let ctx: TestContext;
beforeAll(async () => (ctx = await createTestContext()));
afterAll(() => ctx.close());

interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema: unknown } } }>;
}

it('gives each code one status, and lists each route’s codes under their statuses in the OpenAPI document', async () => {
  const document = (await request(ctx.app).get('/openapi.json')).body as {
    paths: Record<string, Record<string, Operation>>;
  };
  for (const route of ROUTES) {
    for (const path of openApiPaths(route.path)) {
      const operation = document.paths[path.replace(/[:*](\w+)/g, '{$1}')][route.method];
      const listed = Object.entries(operation.responses)
        .filter(([status]) => Number(status) >= 400)
        .flatMap(([status, answer]) => {
          const text = JSON.stringify(answer.content?.['application/json']?.schema ?? {});
          return answerableCodes(route).filter(
            (code) => ERRORS[code].status === Number(status) && text.includes(`"${code}"`),
          );
        });
      expect({ route: `${route.method} ${path}`, codes: listed.sort() }).toEqual({
        route: `${route.method} ${path}`,
        codes: answerableCodes(route).sort(),
      });
      expect(operation.responses.default).toBeUndefined();
    }
  }
});

it('answers a missing resource with its own code, and not_found only for an unknown route', async () => {
  const { name } = await createApplication(ctx.app);
  const answers = [
    await admin(ctx.app, 'get', '/applications/no-such-app'),
    await admin(ctx.app, 'get', `/${name}/users/nobody`),
    await admin(ctx.app, 'delete', `/${name}/groups/nothing`),
    await request(ctx.app).get('/no/such/route/at/all'),
  ];
  expect(answers.map((res) => [res.status, res.body.error])).toEqual([
    [404, 'application_not_found'],
    [404, 'user_not_found'],
    [404, 'group_not_found'],
    [404, 'not_found'],
  ]);
});

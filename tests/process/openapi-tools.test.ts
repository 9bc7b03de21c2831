import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ROUTES } from '../../src/http/routes';
import { openApiOperations } from '../../src/http/openapi/document';
import { runNode } from '../helpers/cli';
import { createTestContext, type TestContext } from '../helpers/context';

// docs/api.md, Operations: GET /openapi.json is complete enough to generate a typed client. The
// served document goes through the tools a client's author would run on it: Redocly's linter
// (its recommended rules, with redocly.yaml) and openapi-typescript.
const ROOT = path.resolve(__dirname, '../..');
const REDOCLY = path.join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
const OPENAPI_TYPESCRIPT = path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');
// No usage report, no check for a newer version: the tools run offline.
const QUIET = { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

let ctx: TestContext;
let dir: string;
let file: string;
beforeAll(async () => {
  ctx = await createTestContext();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-openapi-'));
  file = path.join(dir, 'openapi.json');
  const served = await request(ctx.app).get('/openapi.json');
  expect(served.status).toBe(200);
  fs.writeFileSync(file, served.text);
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await ctx.close();
});

describe('the served OpenAPI document, through the tools', () => {
  it('passes `redocly lint` with no error and no warning', async () => {
    const config = path.join(ROOT, 'redocly.yaml');
    const lint = await runNode(REDOCLY, ['lint', file, '--config', config, '--format=json'], dir, QUIET);
    const report = JSON.parse(lint.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(lint.code).toBe(0);
  });

  it('gives openapi-typescript a typed operation for every operationId', async () => {
    const out = path.join(dir, 'schema.d.ts');
    const generated = await runNode(OPENAPI_TYPESCRIPT, [file, '-o', out], dir, QUIET);
    expect([generated.code, generated.stderr]).toEqual([0, expect.any(String)]);
    const types = fs.readFileSync(out, 'utf8');
    expect(types).not.toMatch(/export type operations = Record<string, never>/);
    const operations = types.slice(types.indexOf('export interface operations {'));
    const typed = [...operations.matchAll(/^ {4}(\w+): \{$/gm)].map((m) => m[1]);
    const ids = ROUTES.flatMap((route) => openApiOperations(route).map((op) => op.operationId));
    expect(typed.sort()).toEqual(ids.sort());
    // The named components are types a client can use: the error answer among them.
    expect(types).toMatch(/^ {8}Error: \{$/m);
  });
});

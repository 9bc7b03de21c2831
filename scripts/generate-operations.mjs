// `npm run generate:operations`: writes web/src/api/operations.ts, the console's table of
// operations, from the built route table (dist/, after `tsc -p tsconfig.build.json`).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { ROUTES } = require(path.join(root, 'dist/http/routes'));
const { OPERATIONS_MODULE, operationsModule } = require(path.join(root, 'dist/http/openapi/operations-module'));
fs.writeFileSync(path.join(root, OPERATIONS_MODULE), operationsModule(ROUTES));
console.log(`wrote ${OPERATIONS_MODULE}`);

// `npm run build:web`: type-checks and bundles the console, unless web/dist is newer than every
// file it is built from (the console's sources, and the server's, whose types it imports),
// so that `npm test` and `npm start` do not rebuild an unchanged console.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'web/dist/index.html');
const inputs = [
  'web/src',
  'web/public',
  'web/index.html',
  'web/vite.config.mts',
  'web/tsconfig.json',
  'src', // the console imports the server's schemas and error codes as types
  'package-lock.json',
];

/** The newest modification time under `file`, a file or a folder. */
function newest(file) {
  if (!fs.existsSync(file)) return 0;
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(file).map((name) => newest(path.join(file, name))));
}

const upToDate =
  fs.existsSync(built) && fs.statSync(built).mtimeMs > Math.max(...inputs.map((i) => newest(path.join(root, i))));
if (upToDate && !process.argv.includes('--force')) {
  console.log('console: web/dist is up to date');
} else {
  const run = (...args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  run(path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'web/tsconfig.json');
  run(
    path.join(root, 'node_modules/vite/bin/vite.js'),
    'build',
    '--config',
    'web/vite.config.mts',
    '--logLevel',
    'warn',
  );
}

// GET /docs: Redoc's standalone bundle, served by jawth itself (docs/api.md, Operations): copied
// from node_modules when missing or older than the installed one.
const redoc = path.join(root, 'node_modules/redoc/bundles');
const docs = path.join(root, 'web/dist-docs');
for (const file of ['redoc.standalone.js', 'redoc.standalone.js.LICENSE.txt']) {
  const target = path.join(docs, file);
  if (fs.existsSync(target) && fs.statSync(target).mtimeMs >= fs.statSync(path.join(redoc, file)).mtimeMs) continue;
  fs.mkdirSync(docs, { recursive: true });
  fs.copyFileSync(path.join(redoc, file), target);
}

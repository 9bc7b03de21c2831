// Runs a TypeScript script without a build: `node -r ./bench/register-ts.js bench/x.ts`.
// @swc/core is already the test transformer; this is the same transform, as a require hook.
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

'use strict';
// Runs a script built from src/scripts/ into dist/scripts/, or says in one line how to build it.
const fs = require('node:fs');
const path = require('node:path');

module.exports = (name) => {
  const built = path.join(__dirname, '..', 'dist', 'scripts', `${name}.js`);
  if (!fs.existsSync(built)) {
    process.stderr.write(`${name}: ${built} is missing: run \`npm run build\` first\n`);
    process.exit(1);
  }
  require(built);
};

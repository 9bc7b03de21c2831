/**
 * `npm test` runs every suite that needs nothing but Node and this repository (SQLite in memory or
 * in a temporary file). Suites under tests/services/ need the machine's PostgreSQL, Redis or
 * Python's PyJWT, curl and jq, and tests/e2e/ needs Chromium: `npm run test:all` (JAWTH_TEST_ALL=1) adds them.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests', '<rootDir>/packages'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // packages/ import their own files as `./errors.js`, as their ES module build needs; here the
  // sources are the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(process.env.JAWTH_TEST_ALL ? [] : ['/tests/services/', '/tests/e2e/']),
  ],
  globalSetup: '<rootDir>/tests/services-check.ts',
  testTimeout: 30000,
};

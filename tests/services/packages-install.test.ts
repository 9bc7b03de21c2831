import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { signToken } from '../../src/crypto/jwt';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';
import { handmade } from '../helpers/hostile-tokens';
import { listen, type Listening } from '../helpers/servers';

/**
 * The tarballs of scripts/pack-packages.mjs installed with npm into an empty project, as an
 * application would install them (`npm install <tarball>`), next to the application's own
 * express and @types/express. npm may ask the registry for what its cache lacks, hence
 * `npm run test:all`. Then, in that project: the installed @jawth/express verifies a token from
 * a real jawth login and refuses the forged ones, in CommonJS and ES module servers on real
 * HTTP; the installed @jawth/client logs in and calls that server; both typecheck from their
 * declarations; and what @jawth/express brings along is counted from the lockfile.
 */
const ROOT = path.join(__dirname, '..', '..');
const OTHER_SECRET = 'another-secret-that-is-also-32-bytes-long';

let work: string;
let project: string;
let tarballs: string[];
let ctx: TestContext;
let jawth: Listening;
let app: { name: string; secret: string };
let user: { username: string; password: string; uid: string };
let token: string;
const servers: ChildProcess[] = [];
const backends: Record<'cjs' | 'esm', string> = { cjs: '', esm: '' };

const run = (command: string, args: string[], cwd = project) =>
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

const CJS_SERVER = `const express = require('express');
const { jawthAuth } = require('@jawth/express');
const app = express();
app.get('/me', jawthAuth({ secret: process.env.APP_SECRET, issuer: 'jawth' }), (req, res) => res.json(req.auth));
const server = app.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;
const ESM_SERVER = CJS_SERVER.replace(
  "const express = require('express');\nconst { jawthAuth } = require('@jawth/express');",
  "import express from 'express';\nimport { jawthAuth } from '@jawth/express';",
);

/** Starts one of the project's servers and reads the address it prints. */
async function start(file: string): Promise<string> {
  const child = spawn(process.execPath, [file], {
    cwd: project,
    env: { PATH: process.env.PATH, APP_SECRET: app.secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.push(child);
  for await (const line of createInterface({ input: child.stdout })) return line;
  throw new Error(`${file} exited before listening`);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'jawth-packages-'));
  // npm test and npm run test:all build first. Rebuilding here would empty packages/*/dist while
  // other suites of the same run load jawth/express from it, so only a missing build is made.
  const built = ['express', 'client'].every((name) => existsSync(path.join(ROOT, 'packages', name, 'dist', 'cjs')));
  const pack = ['scripts/pack-packages.mjs', '--out', path.join(work, 'tarballs'), ...(built ? ['--no-build'] : [])];
  tarballs = run(process.execPath, pack, ROOT).trim().split('\n');
  project = path.join(work, 'app');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'an-application', private: true }));
  run('npm', [
    'install',
    ...tarballs,
    'express@^5',
    '@types/express@^5',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
  ]);

  ctx = await createTestContext();
  jawth = await listen(ctx.app);
  app = await createApplication(ctx.app);
  user = await createUser(ctx.app, app.name, { role: 'admin' });
  token = (await login(ctx.app, app.name, user.username, user.password)).body.token as string;
  writeFileSync(path.join(project, 'server.cjs'), CJS_SERVER);
  writeFileSync(path.join(project, 'server.mjs'), ESM_SERVER);
  [backends.cjs, backends.esm] = await Promise.all([start('server.cjs'), start('server.mjs')]);
}, 240_000);

afterAll(async () => {
  for (const child of servers) child.kill('SIGTERM');
  await jawth?.close();
  await ctx?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  it('hold the builds, the README, the licence and package.json, and no sources or tests', () => {
    const entries = tarballs.map((tarball) => run('tar', ['tzf', tarball]).trim().split('\n'));
    for (const list of entries) {
      expect(list).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/LICENSE']));
      expect(
        list.filter((entry) => !/^package\/(dist\/(esm|cjs)\/[\w.-]+|package\.json|README\.md|LICENSE)$/.test(entry)),
      ).toEqual([]);
    }
    expect(tarballs.map((tarball) => path.basename(tarball))).toEqual([
      'jawth-express-0.1.0.tgz',
      'jawth-client-0.1.0.tgz',
    ]);
  });
});

describe.each(['cjs', 'esm'] as const)('installed @jawth/express, loaded as %s', (format) => {
  const claimsOf = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
  const me = (bearer: string) => fetch(`${backends[format]}/me`, { headers: { Authorization: `Bearer ${bearer}` } });

  it('when the token comes from a real jawth login, then 200 with its claims on req.auth', async () => {
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      username: user.username,
      id: user.uid,
      role: 'admin',
      app: app.name,
      iss: 'jawth',
    });
  });

  const invalid = 'The token is invalid.';
  it.each([
    [
      'alg none',
      invalid,
      () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${token.split('.')[1]}.`,
    ],
    [
      'HS512 with the right secret',
      invalid,
      () => handmade({ alg: 'HS512', typ: 'JWT' }, claimsOf(token), app.secret, 'sha512'),
    ],
    [
      'expired',
      'The token has expired.',
      () => signToken({ ...claimsOf(token), iat: 1_600_000_000, exp: 1_600_000_600 }, app.secret, 'v1'),
    ],
    ['signed with another secret', invalid, () => signToken(claimsOf(token), OTHER_SECRET, 'v1')],
  ])('when the token is %s, then 401 JSON saying "%s", without a stack', async (_name, message, forged) => {
    const res = await me(forged());
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await res.json()).toEqual({ error: 'unauthorized', message });
  });
});

describe('installed @jawth/client', () => {
  const LOG_IN_AND_CALL = `const { JawthClient } = require('@jawth/client');
const [server, appName, username, password, api] = process.argv.slice(1);
(async () => {
  const client = new JawthClient({ server, app: appName });
  await client.login(username, password);
  const res = await client.fetch(api);
  console.log(JSON.stringify({ status: res.status, body: await res.json() }));
})();`;
  const NAMES = `console.log(JSON.stringify(Object.keys(m).sort()))`;

  it('loads with require and with import, exporting the same names', () => {
    const required = run(process.execPath, ['-e', `const m = require('@jawth/client'); ${NAMES}`]);
    const imported = run(process.execPath, [
      '--input-type=module',
      '-e',
      `import * as m from '@jawth/client'; ${NAMES}`,
    ]);
    const names = ['JawthClient', 'JawthClientError', 'LoginRequiredError', 'SecondFactorRequiredError'];
    expect(JSON.parse(required)).toEqual(names);
    expect(JSON.parse(imported)).toEqual(names);
  });

  it('logs in to jawth and calls the API protected by the installed middleware', async () => {
    // Not execFileSync: jawth answers from this process, whose event loop must keep running.
    const args = [jawth.url, app.name, user.username, user.password, `${backends.cjs}/me`];
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', LOG_IN_AND_CALL, ...args], { cwd: project });
    const out = JSON.parse(stdout) as { status: number; body: { username: string } };
    expect(out).toEqual({ status: 200, body: expect.objectContaining({ username: user.username }) });
  });
});

describe('the types of both packages', () => {
  // Wrong on purpose where marked: with `any` instead of real declarations, @ts-expect-error fails.
  const USE = `const client = new JawthClient({ server: 'https://auth.example.com', app: 'shop' });
const token: Promise<string> = client.getAccessToken();
// @ts-expect-error server is a string
new JawthClient({ server: 1, app: 'shop' });
const app = express();
app.get('/', jawthAuth({ secret: 'an-application-secret-of-at-least-32-bytes' }), (req, res) => {
  const name: string | undefined = req.auth?.username;
  res.json({ name, token });
});
// @ts-expect-error requireRole is a string or a list
jawthAuth({ secret: 'x', requireRole: 1 });
`;

  it('typecheck in a CommonJS file and in an ES module file (the require and import declarations)', () => {
    const imports = `import express from 'express';\nimport { jawthAuth } from '@jawth/express';\nimport { JawthClient } from '@jawth/client';\n`;
    writeFileSync(path.join(project, 'check.cts'), `${imports}${USE}`);
    writeFileSync(path.join(project, 'check.mts'), `${imports}${USE}`);
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', strict: true, noEmit: true, esModuleInterop: true, types: ['node'] },
        files: ['check.cts', 'check.mts'],
      }),
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const traced = run(process.execPath, [tsc, '-p', 'tsconfig.json', '--traceResolution']);
    expect(traced).toMatch(/'@jawth\/client' was successfully resolved to '[^']*\/dist\/cjs\/index\.d\.ts'/);
    expect(traced).toMatch(/'@jawth\/client' was successfully resolved to '[^']*\/dist\/esm\/index\.d\.ts'/);
    expect(traced).toMatch(/'@jawth\/express' was successfully resolved to '[^']*\/dist\/cjs\/index\.d\.ts'/);
    expect(traced).toMatch(/'@jawth\/express' was successfully resolved to '[^']*\/dist\/esm\/index\.d\.ts'/);
  });
});

describe('what an application installs', () => {
  interface Locked {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    hasInstallScript?: boolean;
  }
  const lockfile = () =>
    (JSON.parse(readFileSync(path.join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, Locked> })
      .packages;

  /**
   * The lockfile entries a package needs: itself and, transitively, its dependencies and
   * optional dependencies, each found where Node would find it (the nearest node_modules up).
   * Peer dependencies are not followed: express is the application's own.
   */
  function closure(start: string, packages: Record<string, Locked>): string[] {
    const found = new Set<string>();
    const visit = (location: string) => {
      if (found.has(location)) return;
      found.add(location);
      const { dependencies = {}, optionalDependencies = {} } = packages[location];
      for (const name of Object.keys({ ...dependencies, ...optionalDependencies })) {
        let from = location;
        while (!packages[`${from}/node_modules/${name}`] && from !== '')
          from = from.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '');
        const target = from === '' ? `node_modules/${name}` : `${from}/node_modules/${name}`;
        if (packages[target]) visit(target);
        else if (!optionalDependencies[name]) throw new Error(`${location} needs ${name}, which is not installed`);
      }
    };
    visit(start);
    return [...found].sort();
  }

  it('@jawth/express brings jose and nothing else (2 packages with itself, at most 5); @jawth/client nothing', () => {
    const packages = lockfile();
    expect(closure('node_modules/@jawth/express', packages)).toEqual([
      'node_modules/@jawth/express',
      'node_modules/jose',
    ]);
    expect(closure('node_modules/@jawth/client', packages)).toEqual(['node_modules/@jawth/client']);
    const everything = new Set(
      ['@jawth/express', '@jawth/client', 'express', '@types/express'].flatMap((name) =>
        closure(`node_modules/${name}`, packages),
      ),
    );
    expect(Object.keys(packages).filter((location) => location !== '' && !everything.has(location))).toEqual([]);
  });

  it('with no install script and no native module', () => {
    const withScripts = Object.entries(lockfile()).filter(([, entry]) => entry.hasInstallScript);
    expect(withScripts).toEqual([]);
    const files = readdirSync(path.join(project, 'node_modules'), { recursive: true }) as string[];
    expect(files.filter((file) => file.endsWith('.node') || file.endsWith('binding.gyp'))).toEqual([]);
  });
});

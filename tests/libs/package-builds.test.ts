import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The builds of packages/express and packages/client (made by `npm run build`, which `npm test`
 * runs first): what their package.json promises exists, and both formats load under Node with
 * the same exports. The packed tarballs installed in a project of their own:
 * tests/services/packages-install.test.ts.
 */
const ROOT = path.join(__dirname, '..', '..');

interface Manifest {
  name: string;
  version: string;
  license: string;
  sideEffects: boolean;
  engines: { node: string };
  files: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports: Record<string, Record<string, { types: string; default: string }> | string>;
}

const PACKAGES = [
  { dir: 'express', name: '@jawth/express', names: ['jawthAuth'], dependencies: ['jose'] },
  {
    dir: 'client',
    name: '@jawth/client',
    names: ['JawthClient', 'JawthClientError', 'LoginRequiredError', 'SecondFactorRequiredError'],
    dependencies: [],
  },
];

/** The names a package exports, loaded by its own name (Node resolves a package's self-reference). */
function exportedNames(dir: string, format: 'require' | 'import'): string[] {
  const script =
    format === 'require'
      ? `console.log(JSON.stringify(Object.keys(require(process.argv[1])).sort()))`
      : `const m = await import(process.argv[1]); console.log(JSON.stringify(Object.keys(m).sort()))`;
  const name = PACKAGES.find((pkg) => pkg.dir === dir)?.name as string;
  const args = format === 'require' ? ['-e', script, name] : ['--input-type=module', '-e', script, name];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: path.join(ROOT, 'packages', dir) }).toString());
}

describe.each(PACKAGES)('packages/$dir ($name)', ({ dir, name, names, dependencies }) => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as Manifest;

  it('declares what a published package needs', () => {
    expect(manifest).toMatchObject({
      name,
      version: '0.1.0',
      license: 'MIT',
      sideEffects: false,
      engines: { node: '>=20' },
      files: ['dist'],
    });
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(dependencies);
  });

  it('has every file its exports map names, ES module and CommonJS, each with types', () => {
    const entry = manifest.exports['.'] as Record<string, { types: string; default: string }>;
    expect(Object.keys(entry)).toEqual(['import', 'require']);
    for (const target of Object.values(entry)) {
      expect(existsSync(path.join(ROOT, 'packages', dir, target.types))).toBe(true);
      expect(existsSync(path.join(ROOT, 'packages', dir, target.default))).toBe(true);
    }
  });

  it('loads with require and with import, exporting the same names', () => {
    expect(exportedNames(dir, 'require')).toEqual(names);
    expect(exportedNames(dir, 'import')).toEqual(names);
  });
});

describe('the server package', () => {
  it('resolves jawth/express and jawth/client to the packages builds', () => {
    const resolved = (specifier: string) =>
      execFileSync(process.execPath, ['-p', `require.resolve(${JSON.stringify(specifier)})`], { cwd: ROOT })
        .toString()
        .trim();
    expect(resolved('jawth/express')).toBe(path.join(ROOT, 'packages', 'express', 'dist', 'cjs', 'index.js'));
    expect(resolved('jawth/client')).toBe(path.join(ROOT, 'packages', 'client', 'dist', 'cjs', 'index.js'));
  });
});

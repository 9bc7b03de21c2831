// Builds the libraries applications install, packages/express (@jawth/express) and
// packages/client (@jawth/client), each twice with plain tsc: ES modules into dist/esm and
// CommonJS into dist/cjs, each with its .d.ts. A package.json in each folder tells Node (and
// TypeScript) which format its .js and .d.ts files are, whatever the package's own "type".
//   node scripts/build-packages.mjs [--help]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGES = ['express', 'client'].map((name) => path.join(ROOT, 'packages', name));
const FORMATS = [
  { folder: 'esm', type: 'module', options: {} },
  { folder: 'cjs', type: 'commonjs', options: { module: ts.ModuleKind.CommonJS } },
];

// The four compilations share parsed files (lib.*.d.ts, @types/node): one tsc process each
// would parse them four times, which is most of the time a build takes.
const parsedFiles = new Map();

function compile(configPath, outDir, options) {
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    { ...options, outDir },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => fail([diagnostic]) },
  );
  if (config.errors.length > 0) fail(config.errors);
  const host = ts.createCompilerHost(config.options);
  const parse = host.getSourceFile;
  host.getSourceFile = (fileName, target, ...rest) => {
    const key = `${fileName}|${JSON.stringify(target)}`;
    if (!parsedFiles.has(key)) parsedFiles.set(key, parse.call(host, fileName, target, ...rest));
    return parsedFiles.get(key);
  };
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0) fail(diagnostics);
}

function fail(diagnostics) {
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
  throw new Error(`build-packages: tsc refused the packages:\n${text}`);
}

/** Builds every package in both formats, from a clean dist/. */
export function buildPackages() {
  for (const dir of PACKAGES) {
    rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
    for (const { folder, type, options } of FORMATS) {
      const outDir = path.join(dir, 'dist', folder);
      compile(path.join(dir, 'tsconfig.json'), outDir, options);
      mkdirSync(outDir, { recursive: true });
      writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify({ type })}\n`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log('Usage: node scripts/build-packages.mjs\n\nBuilds packages/express and packages/client into');
    console.log('their dist/esm (ES modules) and dist/cjs (CommonJS), with type declarations.');
  } else {
    buildPackages();
  }
}

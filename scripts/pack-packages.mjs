// Builds @jawth/express and @jawth/client (packages/) and packs each with `npm pack` into one
// folder, printing the tarballs' paths, one a line, on stdout (sizes go to stderr).
//   node scripts/pack-packages.mjs [--out <folder>] [--no-build] [--help]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPackages, PACKAGES, ROOT } from './build-packages.mjs';

const USAGE = `Usage: node scripts/pack-packages.mjs [options]

Builds packages/express (@jawth/express) and packages/client (@jawth/client), then runs
npm pack for each, and prints the path of each tarball, one a line.

Options:
  --out <folder>  where the tarballs go (default: dist/packages, created if missing)
  --no-build      pack the builds already in packages/*/dist
  -h, --help      this text`;

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(ROOT, 'dist', 'packages') },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(USAGE);
} else {
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  if (!values['no-build']) buildPackages();
  for (const dir of PACKAGES) {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const [packed] = JSON.parse(
      execFileSync(npm, ['pack', '--json', '--pack-destination', out], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
    process.stderr.write(
      `${packed.name}@${packed.version}: ${kB(packed.size)} packed, ${kB(packed.unpackedSize)} unpacked, ${packed.entryCount} files\n`,
    );
    console.log(path.join(out, packed.filename));
  }
}

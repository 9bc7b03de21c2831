import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL } from '../config/config';
import { loadConfigSources } from '../config/sources';

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

export interface ScriptArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** A mistake in the command line: said in one line, exit 2. */
export class UsageError extends Error {}

/**
 * The database a script works on without --database: DATABASE_URL read the way the server reads
 * it (environment, nearest .env, JAWTH_CONFIG; a relative path beside the .env), else the default.
 */
export function configuredDatabase(): string {
  return loadConfigSources().values.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

/**
 * Runs one of the repository's scripts (scripts/): `--help` prints `usage`; `main` returns the
 * line to print on success. Every failure is one line on stderr, never a stack trace: exit 2 for
 * a mistake in the command line, 1 for anything else.
 */
export function runScript(
  name: string,
  usage: string,
  options: Options,
  main: (args: ScriptArgs) => Promise<string>,
): void {
  const fail = (message: string, code: number) => {
    process.stderr.write(`${name}: ${message}\n`);
    process.exitCode = code;
  };
  let args: ScriptArgs;
  try {
    args = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  } catch (error) {
    return fail(`${firstLine(error).split('. ')[0]} (see --help)`, 2);
  }
  if (args.values.help) {
    process.stdout.write(usage);
    return;
  }
  main(args).then(
    (line) => process.stdout.write(`${line}\n`),
    (error: unknown) =>
      fail(
        error instanceof UsageError ? `${error.message} (see --help)` : firstLine(error),
        error instanceof UsageError ? 2 : 1,
      ),
  );
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** The one positional argument a script takes, or a UsageError naming it. */
export function onePositional(args: ScriptArgs, what: string): string {
  if (args.positionals.length === 0) throw new UsageError(`name the ${what}`);
  if (args.positionals.length > 1) throw new UsageError(`one ${what} only, got ${args.positionals.length}`);
  return args.positionals[0];
}

/** Bytes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

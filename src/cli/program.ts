import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { appsCommand } from './commands/apps';
import { confCommand } from './commands/conf';
import { exportCommand } from './commands/export';
import { importCommand } from './commands/import';
import { initCommand } from './commands/init';
import { migrateCommand } from './commands/migrate';
import { requestCommand } from './commands/request';
import { serveCommand } from './commands/serve';
import { tokenCommand } from './commands/token';
import { usersCommand } from './commands/users';
import { describeError, CliError } from './errors';
import { examples } from './help';

export function createProgram(): Command {
  const program = new Command('jawth')
    .description('jawth, a self-hosted JWT authenticator: set up, run and administer it')
    .version(packageVersion(), '-V, --version', 'print the version of jawth')
    .showHelpAfterError('(add --help for usage)');
  for (const command of [
    confCommand(),
    initCommand(),
    migrateCommand(),
    serveCommand(),
    tokenCommand(),
    requestCommand(),
    appsCommand(),
    usersCommand(),
    importCommand(),
    exportCommand(),
  ]) {
    program.addCommand(command);
  }
  return examples(program, [
    'jawth conf && jawth init && jawth serve',
    'jawth apps create myapp',
    'jawth users create myapp alice',
    'jawth request GET /applications',
    'jawth export > dump.jsonl',
    'jawth import quid --from postgres://quid@db/quid --dry-run',
  ]);
}

/** The version in package.json, which sits two folders up from both src/cli and dist/cli. */
function packageVersion(): string {
  const file = path.resolve(__dirname, '../../package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Runs the CLI; any failure is one line on stderr and a non-zero exit, never a stack trace. */
export async function run(argv: string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    process.stderr.write(`jawth: ${describeError(error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}

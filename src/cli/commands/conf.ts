import path from 'node:path';
import { Command } from 'commander';
import { writeEnvFile } from '../../config/env-file';
import { CliError } from '../errors';
import { examples } from '../help';

/** Quid's -conf: a private .env with fresh keys. */
export function confCommand(): Command {
  const command = new Command('conf')
    .description('write a .env with fresh random SECRET_KEY and JAWTH_KEY (mode 0600)')
    .option('--file <path>', 'where to write', '.env')
    .option('--force', 'replace an existing file (its keys stop working)')
    .action((options: { file: string; force?: boolean }) => {
      const file = path.resolve(options.file);
      try {
        writeEnvFile(file, { force: options.force });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new CliError(`${file} already exists; pass --force to replace it (its keys stop working).`);
        }
        throw error;
      }
      process.stdout.write(
        `Wrote fresh SECRET_KEY and JAWTH_KEY to ${file} (mode 0600). Keep it private.\n` +
          'Next: `jawth init` creates the schema and an admin account, then `jawth serve` starts the server.\n',
      );
    });
  return examples(command, ['jawth conf', 'jawth conf --file /etc/jawth/.env', 'jawth conf --force']);
}

import { finished } from 'node:stream/promises';
import { Command } from 'commander';
import { privateWriteStream } from '../../files/private-files';
import { exportDump } from '../../services/import/dump-export.service';
import { CliError } from '../errors';
import { examples } from '../help';
import { progressLine } from '../progress';
import { loadSettings } from '../settings';
import { auditCli } from '../audit-cli';
import { withDatabase } from '../database';
import { assertMigrated } from '../../db/migrator';

interface ExportOptions {
  app?: string;
  output?: string;
}

/** `jawth export`: jawth's own data as JSON lines on stdout (or --output), summary on stderr. */
export function exportCommand(): Command {
  const command = new Command('export')
    .description('write applications (with secrets), groups, orgs, users (with hashes) and memberships as JSON lines')
    .option('--app <name>', 'only this application, its groups and users, and the orgs they belong to')
    .option('--output <file>', 'write to this file (mode 0600, also when it exists) instead of stdout')
    .action(async (options: ExportOptions) => {
      // The dump holds every secret and hash: it goes to a file or a pipe, never to a screen.
      if (!options.output && process.stdout.isTTY) {
        throw new CliError('The dump holds secrets and password hashes: redirect it (> dump.jsonl) or use --output.');
      }
      const { config } = loadSettings();
      const out = options.output ? privateWriteStream(options.output) : process.stdout;
      const progress = progressLine('exporting users');
      const counts = await withDatabase(config, async (store) => {
        await assertMigrated(store.db);
        const result = await exportDump({ ...store, config }, out, {
          app: options.app,
          onProgress: (done, total) => progress.update(done, total),
        });
        await auditCli(store, 'export.dump', 'success', { ...result, output: options.output ?? 'stdout' }, options.app);
        return result;
      });
      progress.finish();
      if (out !== process.stdout) {
        out.end();
        await finished(out);
      }
      process.stderr.write(
        `Exported ${counts.applications} applications (${counts.application_keys} keys), ${counts.orgs} orgs, ${counts.groups} groups, ${counts.users} users.\n`,
      );
    });
  return examples(command, [
    'jawth export > dump.jsonl',
    'jawth export --app shop --output shop.jsonl',
    'DATABASE_URL=postgres://db/jawth jawth import dump.jsonl   # on the new instance',
  ]);
}

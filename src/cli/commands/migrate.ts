import { Command } from 'commander';
import { createMigrator, migrateUp } from '../../db/migrator';
import { examples } from '../help';
import { printJson, printTable } from '../output';
import { loadSettings } from '../settings';
import { withDatabase } from '../database';

export function migrateCommand(): Command {
  const command = new Command('migrate')
    .description('apply pending schema migrations (or list them with --status)')
    .option('--status', 'list every migration as applied or pending, change nothing')
    .option('--json', 'print JSON (for scripts)')
    .action(async (options: { status?: boolean; json?: boolean }) => {
      const { config } = loadSettings();
      await withDatabase(config, async ({ db }) => {
        if (options.status) {
          const migrator = createMigrator(db, config.databaseUrl);
          const applied = (await migrator.executed()).map((m) => ({ name: m.name, state: 'applied' }));
          const pending = (await migrator.pending()).map((m) => ({ name: m.name, state: 'pending' }));
          if (options.json) printJson([...applied, ...pending]);
          else printTable([...applied, ...pending], ['name', 'state']);
          return;
        }
        const names = await migrateUp(db, config.databaseUrl, { secretKey: config.secretKey });
        if (options.json) printJson({ applied: names });
        else process.stdout.write(names.length ? `Applied: ${names.join(', ')}\n` : 'The schema is up to date.\n');
      });
    });
  return examples(command, ['jawth migrate', 'jawth migrate --status']);
}

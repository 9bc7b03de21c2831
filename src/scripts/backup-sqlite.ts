import { backupSqlite } from '../db/sqlite-backup';
import { sqliteFileOf } from '../db/sqlite-file';
import { configuredDatabase, formatBytes, onePositional, runScript } from './script';

const USAGE = `Usage: scripts/backup-sqlite [--database URL|PATH] [--force] OUTPUT

Copies jawth's SQLite database to the file OUTPUT while the server runs: the server is not
stopped and its writes go on. The copy is one self-contained file, mode 0600 in a folder of
mode 0700 (it holds every application's secret). It is written under a temporary name, checked
(PRAGMA integrity_check, and the schema_migrations table), and only then renamed to OUTPUT.
For PostgreSQL, use pg_dump.

Options:
  --database URL|PATH  the database to copy: a sqlite: URL or a file path (default: DATABASE_URL
                       as the server reads it from the environment, .env or JAWTH_CONFIG, else
                       sqlite:./data/jawth.sqlite)
  --force              replace OUTPUT if it exists (without it, an existing OUTPUT is refused)
  -h, --help           print this help

Exit status: 0 when the copy is written and checked; 1 with one line on stderr otherwise
(2 for a mistake in the command line).

Examples:
  scripts/backup-sqlite backups/jawth-$(date +%F).sqlite
  scripts/backup-sqlite --database sqlite:/var/lib/jawth/jawth.sqlite --force /var/backups/jawth/latest.sqlite
`;

runScript('backup-sqlite', USAGE, { database: { type: 'string' }, force: { type: 'boolean' } }, async (args) => {
  const output = onePositional(args, 'OUTPUT file');
  const source = sqliteFileOf(String(args.values.database ?? configuredDatabase()));
  const copy = await backupSqlite(source, output, { force: args.values.force === true });
  return (
    `backed up ${source} to ${output}: ${formatBytes(copy.bytes)} in ${(copy.ms / 1000).toFixed(2)} s, ` +
    `integrity ok, ${copy.migrations} migrations`
  );
});

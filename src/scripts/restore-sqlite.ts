import { sqliteFileOf } from '../db/sqlite-file';
import { restoreSqlite } from '../db/sqlite-restore';
import { configuredDatabase, formatBytes, onePositional, runScript } from './script';

const USAGE = `Usage: scripts/restore-sqlite [--database URL|PATH] [--no-keep] BACKUP

Puts the backup file BACKUP (made by scripts/backup-sqlite) in place of jawth's SQLite database.
Stop the server first: the restore refuses while any process has the database open, and then
changes nothing. BACKUP is checked first (PRAGMA integrity_check, and the schema_migrations
table). The database it replaces is kept beside it as <file>.before-restore-<time> (mode 0600),
and its -wal and -shm files are removed. The new file (mode 0600) arrives by one rename.
The server applies any migration the backup lacks when it starts. For PostgreSQL, use pg_restore.

Options:
  --database URL|PATH  the database to replace: a sqlite: URL or a file path (default: DATABASE_URL
                       as the server reads it from the environment, .env or JAWTH_CONFIG, else
                       sqlite:./data/jawth.sqlite)
  --no-keep            do not keep the replaced database
  -h, --help           print this help

Exit status: 0 when the backup is in place; 1 with one line on stderr otherwise (2 for a mistake
in the command line).

Examples:
  sudo systemctl stop jawth
  scripts/restore-sqlite backups/jawth-2026-01-31.sqlite
  scripts/restore-sqlite --database sqlite:/var/lib/jawth/jawth.sqlite /var/backups/jawth/latest.sqlite
  sudo systemctl start jawth
`;

runScript('restore-sqlite', USAGE, { database: { type: 'string' }, 'no-keep': { type: 'boolean' } }, async (args) => {
  const backup = onePositional(args, 'BACKUP file');
  const target = sqliteFileOf(String(args.values.database ?? configuredDatabase()));
  const restored = await restoreSqlite(backup, target, { keep: args.values['no-keep'] !== true });
  return (
    `restored ${backup} to ${target}: ${formatBytes(restored.bytes)}, ${restored.migrations} migrations` +
    (restored.kept ? `; the database it replaced is kept as ${restored.kept}` : '')
  );
});

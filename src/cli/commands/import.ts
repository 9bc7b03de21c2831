import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import type { Config } from '../../config/config';
import { formatDuration } from '../../config/duration';
import { migrateUp } from '../../db/migrator';
import { importDump } from '../../services/import/dump-import.service';
import { importQuid, type QuidImportReport } from '../../services/import/quid-import.service';
import { CliError, describeError } from '../errors';
import { auditCli } from '../audit-cli';
import { examples } from '../help';
import { printJson, printTable } from '../output';
import { progressLine } from '../progress';
import { loadSettings } from '../settings';
import { withDatabase } from '../database';
import type { Store } from '../../services/deps';

interface QuidOptions {
  from: string;
  quidKey?: string;
  dryRun?: boolean;
  replace?: boolean;
  showSecrets?: boolean;
  json?: boolean;
}

/** Both imports write into the configured database, migrated first so that an empty one works. */
function withMigratedDatabase<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  return withDatabase(config, async (store) => {
    await migrateUp(store.db, config.databaseUrl, { secretKey: config.secretKey });
    return work(store);
  });
}

/** `jawth import <file>` (a jawth dump) and `jawth import quid` (a Quid database). */
export function importCommand(): Command {
  const command = new Command('import')
    .description('import a jawth dump (JSON lines from `jawth export`; - reads stdin), or a Quid database')
    .argument('<file>', 'the dump, or - for stdin')
    .action(async (file: string) => {
      const { config } = loadSettings();
      // The dump is read twice (checked whole, then written): stdin is kept in a private file.
      const spool = file === '-' ? await spoolStdin() : undefined;
      const dumpFile = spool?.file ?? file;
      const size = fileSize(dumpFile);
      let input: fs.ReadStream | undefined;
      const open = () => (input = fs.createReadStream(dumpFile));
      const progress = progressLine('importing');
      const onProgress = () => progress.update(input?.bytesRead ?? 0, size);
      const summary = await withMigratedDatabase(config, async (store) => {
        try {
          const result = await importDump({ ...store, config }, open, { onProgress });
          await auditCli(store, 'import.dump', 'success', { file: file === '-' ? 'stdin' : file, ...result });
          return result;
        } catch (error) {
          await auditCli(store, 'import.dump', 'failure', {
            file: file === '-' ? 'stdin' : file,
            error: describeError(error),
          });
          throw error;
        }
      }).finally(() => {
        progress.finish();
        spool?.remove();
      });
      const line = (what: string, t: { created: number; skipped: number }) =>
        `${what}: ${t.created} created, ${t.skipped} already there`;
      process.stdout.write(
        [
          line('applications', summary.applications),
          line('application keys', summary.application_keys),
          line('orgs', summary.orgs),
          line('groups', summary.groups),
          `${line('users', summary.users)}, ${summary.users.conflicts} uid conflicts`,
          `memberships: ${summary.memberships} created`,
        ].join('\n') + '\n',
      );
    });
  command.addCommand(quidCommand());
  return examples(command, ['jawth export > dump.jsonl && DATABASE_URL=postgres://… jawth import dump.jsonl']);
}

/** stdin copied to a file only its owner reads (a dump holds secrets), removed after the import. */
async function spoolStdin(): Promise<{ file: string; remove: () => void }> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-import-'));
  const file = path.join(folder, 'dump.jsonl');
  await pipeline(process.stdin, fs.createWriteStream(file, { mode: 0o600 }));
  return { file, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    throw new CliError(`Cannot read "${file}".`);
  }
}

function quidCommand(): Command {
  const command = new Command('quid')
    .description('move a Quid installation in: namespaces, users (with their passwords), groups, orgs, admins')
    .requiredOption('--from <url>', 'the Quid PostgreSQL database, postgres://… (only read)')
    .option('--quid-key <hex>', 'the "key" of Quid\'s config.json (or QUID_KEY)')
    .option('--dry-run', 'report what would be created, write nothing')
    .option('--replace', 'replace applications and admin accounts whose names exist (default: skip them)')
    .option('--show-secrets', "print the applications' secrets")
    .option('--json', 'print the report as JSON')
    .action(async (options: QuidOptions) => {
      const { config, raw } = loadSettings();
      const quidKey = options.quidKey ?? raw.QUID_KEY;
      if (!quidKey) throw new CliError('Pass --quid-key <hex> or set QUID_KEY: the "key" of Quid\'s config.json.');
      // Migrations wait until every Quid key has decrypted: a wrong key leaves jawth's database untouched.
      const report = await withDatabase(config, async (store) => {
        let migrated = false;
        const beforeWrite = async () => {
          await migrateUp(store.db, config.databaseUrl, { secretKey: config.secretKey });
          migrated = true;
        };
        const { from, dryRun, replace } = options;
        try {
          const result = await importQuid(
            { ...store, config },
            {
              from,
              quidKey,
              dryRun,
              replace,
              includeSecrets: options.showSecrets,
              beforeWrite,
            },
          );
          await auditCli(store, 'import.quid', 'success', quidAuditDetail(result));
          return result;
        } catch (error) {
          // Until the keys decrypt, jawth's database is not even migrated: no log to write to.
          if (migrated) await auditCli(store, 'import.quid', 'failure', { error: describeError(error) });
          throw error;
        }
      });
      if (options.json) printJson(report);
      else printQuidReport(report, Boolean(options.showSecrets));
    });
  return examples(command, [
    'QUID_KEY=… jawth import quid --from postgres://quid@db/quid --dry-run',
    'jawth import quid --from postgres://quid@db/quid --quid-key "$QUID_KEY"',
  ]);
}

/** Names and counts for the audit log; never a secret. */
function quidAuditDetail(report: QuidImportReport): Record<string, unknown> {
  return {
    dry_run: report.dry_run,
    applications: report.applications.map((a) => ({ name: a.name, status: a.status, users: a.users })),
    orgs_created: report.orgs.created.length,
    admins: report.admins,
    skipped_users: report.skipped_users.length,
  };
}

function printQuidReport(report: QuidImportReport, showSecrets: boolean): void {
  const columns = ['name', 'status', 'users', 'groups', 'access_ttl_max', 'refresh_ttl_max', 'reason'];
  printTable(
    report.applications.map((a) => ({
      ...a,
      access_ttl_max: a.access_ttl_max ? formatDuration(a.access_ttl_max) : null,
      refresh_ttl_max: a.refresh_ttl_max ? formatDuration(a.refresh_ttl_max) : null,
    })),
    showSecrets ? [...columns, 'secret', 'refresh_secret'] : columns,
  );
  const out = [
    `orgs: ${report.orgs.created.length} new (${report.orgs.created.join(', ') || '-'}), ` +
      `${report.orgs.existing.length} already there`,
    `admin accounts: ${report.admins.map((a) => `${a.username} ${a.status}`).join(', ') || '-'}`,
    ...report.skipped_users.map((u) => `skipped user ${u.app}/${u.username}: ${u.reason}`),
    ...(report.dry_run ? ['dry run: nothing was written'] : []),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

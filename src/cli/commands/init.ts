import { Command } from 'commander';
import { migrateUp } from '../../db/migrator';
import { adminAccountExists, countAdminAccounts, ensureAdminAccount } from '../../services/admin-account.service';
import { assertPasswordPolicy } from '../../policy/password-policy';
import { examples } from '../help';
import { ask, askNewPassword } from '../prompt';
import { loadSettings, serverUrl } from '../settings';
import { isServerRunning } from '../server-probe';
import { withDatabase } from '../database';

interface InitOptions {
  username?: string;
  password?: string;
}

/** Quid's -init: schema, then one admin account; running it again changes nothing. */
export function initCommand(): Command {
  const command = new Command('init')
    .description('create or migrate the schema and create an admin account (prompted, or from options or env)')
    .option('--username <name>', 'admin username (or JAWTH_ADMIN_USERNAME)')
    .option(
      '--password <password>',
      'admin password (or JAWTH_ADMIN_PASSWORD; prompted, hidden, when absent). Other local users can see options in the process list: prefer the prompt or the environment',
    )
    .action(async (options: InitOptions) => {
      const { config, raw } = loadSettings();
      await withDatabase(config, async (store) => {
        const applied = await migrateUp(store.db, config.databaseUrl, { secretKey: config.secretKey });
        process.stdout.write(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Schema up to date.\n');
        let username = options.username ?? raw.JAWTH_ADMIN_USERNAME;
        if (!username && (await countAdminAccounts(store)) > 0) {
          process.stdout.write('An admin account already exists; nothing else to do.\n');
          return;
        }
        username ??= (await ask('Admin username: ')).trim();
        if (await adminAccountExists(username, store)) {
          process.stdout.write(`Admin account "${username}" already exists; nothing changed.\n`);
          return;
        }
        const password = options.password ?? raw.JAWTH_ADMIN_PASSWORD;
        const policy = (typed: string) => assertPasswordPolicy(typed, config.passwordMinLength);
        const result = await ensureAdminAccount(
          username,
          password ?? (await askNewPassword('Admin password', policy)),
          config,
          store,
        );
        if (!result.created) {
          process.stdout.write(`Admin account "${result.username}" already exists; nothing changed.\n`);
          return;
        }
        process.stdout.write(`${await nextStep(result.username, serverUrl(undefined, { config, raw }))}\n`);
      });
    });
  return examples(command, [
    'jawth init                                   # prompts for username and password',
    'jawth init --username admin --password "$ADMIN_PASSWORD"',
    'JAWTH_ADMIN_USERNAME=admin JAWTH_ADMIN_PASSWORD=... jawth init',
  ]);
}

/** What to do once the admin exists: start the server, or, when one already answers, sign in. */
async function nextStep(username: string, url: string): Promise<string> {
  const consoleUrl = `${url}/admin/`;
  return (await isServerRunning(url))
    ? `Created admin account "${username}"; the server is already running, so sign in at ${consoleUrl}.`
    : `Created admin account "${username}"; start the server with \`jawth serve\`, then sign in at ${consoleUrl}.`;
}

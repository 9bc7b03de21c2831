import { Command, Option } from 'commander';
import { durationSeconds, examples, integerIn, list, remote as remoteOptions } from '../help';
import { CliError } from '../errors';
import { printJson, printTable, show } from '../output';
import { remote, remotePage, seg } from '../remote';
import { pageQuery, printPageLine, type PageOptions } from '../pages';
import { confirmByTyping } from '../prompt';
import { appKeysCommand } from './app-keys';
import { appWebhooksCommand } from './app-webhooks';

interface Common {
  url?: string;
  json?: boolean;
}

const COLUMNS = ['name', 'access_ttl', 'access_ttl_max', 'refresh_ttl_max', 'secret_version', 'created_at'];

/** Whether the application's users log in with a second factor. */
const mfaOption = () =>
  new Option('--mfa <setting>', 'second factor: off, optional (users may enrol) or required').choices([
    'off',
    'optional',
    'required',
  ]);

/** Sign-up and recovery (docs/api.md, Sign-up, confirmation and recovery). */
const signupOptions = (command: Command) =>
  command
    .addOption(
      new Option('--signup <mode>', 'sign-up: off, open, or confirm (disabled until the e-mail is confirmed)').choices([
        'off',
        'open',
        'confirm',
      ]),
    )
    .addOption(new Option('--recovery <setting>', 'password recovery by e-mail: off or on').choices(['off', 'on']))
    .option('--public-url <url>', "the application's page that confirmation and reset mails link to (#token=…)");

/** Durations go to the API as text; checking them here catches typos before the request. */
function duration(text: string): string {
  durationSeconds(text);
  return text;
}

/** `jawth apps …`: applications through the signed admin API (docs/api.md, Applications). */
export function appsCommand(): Command {
  const apps = new Command('apps').description('list, create, show, delete applications and rotate their secrets');

  const listApps = remoteOptions(new Command('list'))
    .description('list applications (100 at a time unless --limit), with how many there are in all')
    .option('--limit <n>', 'at most this many', integerIn(1, 1000), 100)
    .option('--offset <n>', 'skip this many', integerIn(0, Number.MAX_SAFE_INTEGER), 0)
    .action(async (options: Common & PageOptions) => {
      const { rows, total } = await remotePage(options, `/applications?${pageQuery(options)}`);
      if (options.json) return printJson(rows);
      printTable(rows, COLUMNS);
      printPageLine(rows.length, total, options.offset, ['application', 'applications']);
    });
  apps.addCommand(
    examples(listApps, ['jawth apps list', 'jawth apps list --limit 20 --offset 20', 'jawth apps list --json']),
  );

  const create = remoteOptions(new Command('create'))
    .description('create an application and print its generated secret')
    .argument('<name>', 'lowercase letters, digits, _ and -')
    .option('--access-ttl <duration>', 'lifetime of login tokens (default 15m)', duration)
    .option('--access-ttl-max <duration>', 'longest access token (default 20m)', duration)
    .option('--refresh-ttl-max <duration>', 'longest refresh token (default 24h)', duration)
    .option('--audience <aud>', 'the aud claim of its tokens')
    .option('--cors-origins <origins>', 'comma-separated origins allowed to call its public endpoints', list)
    .addOption(mfaOption());
  signupOptions(create).action(async (name: string, options: Common & Record<string, unknown>) => {
    const data = {
      name,
      mfa: options.mfa,
      signup: options.signup,
      recovery: options.recovery,
      public_url: options.publicUrl,
      access_ttl: options.accessTtl,
      access_ttl_max: options.accessTtlMax,
      refresh_ttl_max: options.refreshTtlMax,
      audience: options.audience,
      cors_origins: options.corsOrigins,
    };
    show(await remote(options)('POST', '/applications', withoutUndefined(data)), options.json);
    if (!options.json) process.stdout.write(`${storeSecretAdvice(name)}\n`);
  });
  apps.addCommand(
    examples(create, ['jawth apps create myapp', 'jawth apps create shop --access-ttl 5m --refresh-ttl-max 7d --json']),
  );

  const update = remoteOptions(new Command('update'))
    .description(
      'change an application: its name, lifetimes, audience, CORS origins, second factor, sign-up or recovery',
    )
    .argument('<name>')
    .option('--name <new-name>', 'rename it')
    .option('--access-ttl <duration>', 'lifetime of login tokens', duration)
    .option('--access-ttl-max <duration>', 'longest access token', duration)
    .option('--refresh-ttl-max <duration>', 'longest refresh token', duration)
    .option('--audience <aud>', 'the aud claim of its tokens')
    .option('--no-audience', 'no aud claim')
    .option('--cors-origins <origins>', 'comma-separated origins allowed to call its public endpoints', list)
    .addOption(mfaOption());
  signupOptions(update)
    .option('--no-public-url', 'no page for the mails')
    .action(async (name: string, options: Common & Record<string, unknown>) => {
      const data = withoutUndefined({
        signup: options.signup,
        recovery: options.recovery,
        public_url: options.publicUrl === false ? null : options.publicUrl === true ? undefined : options.publicUrl,
        name: options.name,
        access_ttl: options.accessTtl,
        access_ttl_max: options.accessTtlMax,
        refresh_ttl_max: options.refreshTtlMax,
        // --no-audience sets it to false: null clears the claim; true (the default) leaves it.
        audience: options.audience === false ? null : options.audience === true ? undefined : options.audience,
        cors_origins: options.corsOrigins,
        mfa: options.mfa,
      });
      if (Object.keys(data).length === 0) throw new CliError('Nothing to change: give at least one option.');
      show(await remote(options)('PATCH', `/applications/${seg(name)}`, data), options.json);
    });
  apps.addCommand(
    examples(update, [
      'jawth apps update shop --mfa required',
      'jawth apps update shop --signup confirm --recovery on --public-url https://shop.example.com/account',
      'jawth apps update shop --access-ttl 10m --json',
    ]),
  );

  const showApp = remoteOptions(new Command('show'))
    .description('show one application')
    .argument('<name>')
    .option('--include-secret', 'also print its secret')
    .action(async (name: string, options: Common & { includeSecret?: boolean }) => {
      const query = options.includeSecret ? '?include_secret=true' : '';
      show(await remote(options)('GET', `/applications/${seg(name)}${query}`), options.json);
    });
  apps.addCommand(examples(showApp, ['jawth apps show myapp', 'jawth apps show myapp --include-secret --json']));

  const remove = remoteOptions(new Command('delete'))
    .description('delete an application with its users, groups and sessions (asks you to type its name, or --yes)')
    .argument('<name>')
    .option('--yes', 'delete without asking (needed when there is no terminal to ask on)')
    .action(async (name: string, options: Common & { yes?: boolean }) => {
      const call = remote(options);
      if (!options.yes) {
        const action = `delete application "${name}" and all its users`;
        await confirmByTyping(deleteWarning(name), name, action, () => call('GET', `/applications/${seg(name)}`));
      }
      await call('DELETE', `/applications/${seg(name)}`);
      if (options.json) printJson({ deleted: name });
      else process.stdout.write(`Deleted application "${name}".\n`);
    });
  apps.addCommand(examples(remove, ['jawth apps delete myapp', 'jawth apps delete myapp --yes']));

  const rotate = remoteOptions(new Command('rotate-secret'))
    .description('give an application a new secret and print it (apps show --include-secret shows it again)')
    .argument('<name>')
    .option('--grace <duration>', 'how long tokens signed with the old secret still verify on jawth (default 0s)')
    .action(async (name: string, options: Common & { grace?: string }) => {
      const data = options.grace === undefined ? {} : { grace: options.grace };
      show(await remote(options)('POST', `/applications/${seg(name)}/rotate_secret`, data), options.json);
    });
  apps.addCommand(examples(rotate, ['jawth apps rotate-secret myapp', 'jawth apps rotate-secret myapp --grace 1h']));

  apps.addCommand(appKeysCommand());
  apps.addCommand(appWebhooksCommand());

  return examples(apps, ['jawth apps list', 'jawth apps create myapp', 'jawth apps rotate-secret myapp --grace 1h']);
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** Said under a new application: the secret stays readable, so "store it now" is advice, not a warning of loss. */
const storeSecretAdvice = (name: string) =>
  `Store the secret now where your application reads it; \`jawth apps show ${name} --include-secret\` prints it again.`;

/**
 * Deleting an application takes its users with it and cannot be undone; its tokens are verified
 * by the applications themselves, so they stay valid until they expire.
 */
const deleteWarning = (name: string) =>
  `Deleting application "${name}" deletes all its users too, and tokens it issued keep verifying in your applications until they expire.`;

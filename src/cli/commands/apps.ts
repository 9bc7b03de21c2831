import { Command, Option } from 'commander';
import { durationSeconds, examples, integerIn, list, remote as remoteOptions } from '../help';
import { CliError } from '../errors';
import { printJson, printTable, show } from '../output';
import { remote, seg } from '../remote';

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

/** Durations go to the API as text; checking them here catches typos before the request. */
function duration(text: string): string {
  durationSeconds(text);
  return text;
}

/** `jawth apps …`: applications through the signed admin API (docs/api.md, Applications). */
export function appsCommand(): Command {
  const apps = new Command('apps').description('list, create, show, delete applications and rotate their secrets');

  const listApps = remoteOptions(new Command('list'))
    .description('list applications')
    .option('--limit <n>', 'at most this many', integerIn(1, 1000), 100)
    .option('--offset <n>', 'skip this many', integerIn(0, Number.MAX_SAFE_INTEGER), 0)
    .action(async (options: Common & { limit: number; offset: number }) => {
      const rows = (await remote(options)(
        'GET',
        `/applications?limit=${options.limit}&offset=${options.offset}`,
      )) as [];
      if (options.json) printJson(rows);
      else printTable(rows, COLUMNS);
    });
  apps.addCommand(examples(listApps, ['jawth apps list', 'jawth apps list --json']));

  const create = remoteOptions(new Command('create'))
    .description('create an application; prints its generated secret once')
    .argument('<name>', 'lowercase letters, digits, _ and -')
    .option('--access-ttl <duration>', 'lifetime of login tokens (default 15m)', duration)
    .option('--access-ttl-max <duration>', 'longest access token (default 20m)', duration)
    .option('--refresh-ttl-max <duration>', 'longest refresh token (default 24h)', duration)
    .option('--audience <aud>', 'the aud claim of its tokens')
    .option('--cors-origins <origins>', 'comma-separated origins allowed to call its public endpoints', list)
    .addOption(mfaOption())
    .action(async (name: string, options: Common & Record<string, unknown>) => {
      const data = {
        name,
        mfa: options.mfa,
        access_ttl: options.accessTtl,
        access_ttl_max: options.accessTtlMax,
        refresh_ttl_max: options.refreshTtlMax,
        audience: options.audience,
        cors_origins: options.corsOrigins,
      };
      show(await remote(options)('POST', '/applications', withoutUndefined(data)), options.json);
    });
  apps.addCommand(
    examples(create, ['jawth apps create myapp', 'jawth apps create shop --access-ttl 5m --refresh-ttl-max 7d --json']),
  );

  const update = remoteOptions(new Command('update'))
    .description('change an application: its name, lifetimes, audience, CORS origins or second factor')
    .argument('<name>')
    .option('--name <new-name>', 'rename it')
    .option('--access-ttl <duration>', 'lifetime of login tokens', duration)
    .option('--access-ttl-max <duration>', 'longest access token', duration)
    .option('--refresh-ttl-max <duration>', 'longest refresh token', duration)
    .option('--audience <aud>', 'the aud claim of its tokens')
    .option('--no-audience', 'no aud claim')
    .option('--cors-origins <origins>', 'comma-separated origins allowed to call its public endpoints', list)
    .addOption(mfaOption())
    .action(async (name: string, options: Common & Record<string, unknown>) => {
      const data = withoutUndefined({
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
    examples(update, ['jawth apps update shop --mfa required', 'jawth apps update shop --access-ttl 10m --json']),
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
    .description('delete an application with its users, groups and sessions')
    .argument('<name>')
    .action(async (name: string, options: Common) => {
      await remote(options)('DELETE', `/applications/${seg(name)}`);
      if (options.json) printJson({ deleted: name });
      else process.stdout.write(`Deleted application "${name}".\n`);
    });
  apps.addCommand(examples(remove, ['jawth apps delete myapp']));

  const rotate = remoteOptions(new Command('rotate-secret'))
    .description('give an application a new secret; prints it once')
    .argument('<name>')
    .option('--grace <duration>', 'how long tokens signed with the old secret still verify on jawth (default 0s)')
    .action(async (name: string, options: Common & { grace?: string }) => {
      const data = options.grace === undefined ? {} : { grace: options.grace };
      show(await remote(options)('POST', `/applications/${seg(name)}/rotate_secret`, data), options.json);
    });
  apps.addCommand(examples(rotate, ['jawth apps rotate-secret myapp', 'jawth apps rotate-secret myapp --grace 1h']));

  return examples(apps, ['jawth apps list', 'jawth apps create myapp', 'jawth apps rotate-secret myapp --grace 1h']);
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

import { Command, InvalidArgumentError } from 'commander';
import { APP_KEY_SCOPES, type AppKeyScope } from '../../schemas/application-key.schema';
import { examples, list, remote as remoteOptions } from '../help';
import { printJson, printTable, show } from '../output';
import { remote, remotePage, seg } from '../remote';

interface Common {
  url?: string;
  json?: boolean;
}

const COLUMNS = ['id', 'label', 'scopes', 'created_at'];

/** --scopes: comma-separated, each one of the API's scopes (checked here to catch typos early). */
function scopes(text: string): AppKeyScope[] {
  const given = list(text);
  const unknown = given.filter((scope) => !(APP_KEY_SCOPES as readonly string[]).includes(scope));
  if (given.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`Expected scopes among ${APP_KEY_SCOPES.join(', ')}.`);
  }
  return given as AppKeyScope[];
}

/** `jawth apps keys …`: an application's keys (docs/api.md, Application keys). */
export function appKeysCommand(): Command {
  const keys = new Command('keys').description("list, create and revoke an application's keys");

  const listKeys = remoteOptions(new Command('list'))
    .description("list the application's keys (never the keys themselves)")
    .argument('<app>')
    .action(async (app: string, options: Common) => {
      const { rows } = await remotePage(options, `/applications/${seg(app)}/keys`);
      if (options.json) return printJson(rows);
      printTable(rows, COLUMNS);
    });
  keys.addCommand(examples(listKeys, ['jawth apps keys list shop', 'jawth apps keys list shop --json']));

  const create = remoteOptions(new Command('create'))
    .description('create a key and print it, once')
    .argument('<app>')
    .requiredOption('--label <label>', 'what the key is for, e.g. "billing backend"')
    .requiredOption('--scopes <scopes>', `comma-separated: ${APP_KEY_SCOPES.join(', ')}`, scopes)
    .action(async (app: string, options: Common & { label: string; scopes: AppKeyScope[] }) => {
      const data = { label: options.label, scopes: options.scopes };
      show(await remote(options)('POST', `/applications/${seg(app)}/keys`, data), options.json);
      if (!options.json) process.stdout.write(`${STORE_KEY_NOW}\n`);
    });
  keys.addCommand(
    examples(create, [
      'jawth apps keys create shop --label backend --scopes users:read,users:write',
      'jawth apps keys create shop --label support --scopes mfa:reset --json',
    ]),
  );

  const revoke = remoteOptions(new Command('revoke'))
    .description('revoke a key: refused at once, on every instance')
    .argument('<app>')
    .argument('<id>', 'the id `jawth apps keys list` shows')
    .action(async (app: string, id: string, options: Common) => {
      await remote(options)('DELETE', `/applications/${seg(app)}/keys/${seg(id)}`);
      if (options.json) printJson({ revoked: id });
      else process.stdout.write(`Revoked key ${id} of "${app}".\n`);
    });
  keys.addCommand(examples(revoke, ['jawth apps keys revoke shop 0f6c…']));

  return keys;
}

/** Only the key's hash is kept: unlike an application's secret, it cannot be shown again. */
const STORE_KEY_NOW =
  'Store the key now where your backend reads it: it is not shown again (revoke it and create another if lost).';

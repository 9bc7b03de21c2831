import { Command } from 'commander';
import { examples, list, remote as remoteOptions } from '../help';
import { printJson, printTable, show } from '../output';
import { askNewPassword } from '../prompt';
import { pageOptions, pageQuery, printPageLine, type PageOptions } from '../pages';
import { remote, remotePage, seg } from '../remote';

interface Common {
  url?: string;
  json?: boolean;
}

const COLUMNS = ['app', 'username', 'uid', 'role', 'groups', 'orgs', 'disabled', 'last_login'];
const userPath = (app: string, username: string) => `/${seg(app)}/users/${seg(username)}`;

/** A user command: APP USERNAME, the shared options, and an action on the admin API. */
function userVerb(
  name: string,
  description: string,
  act: (app: string, username: string, options: Common & Record<string, unknown>) => Promise<void>,
): Command {
  return remoteOptions(new Command(name))
    .description(description)
    .argument('<app>', 'the application')
    .argument('<username>')
    .action(act);
}

async function done(options: Common, answer: unknown, sentence: string): Promise<void> {
  if (options.json) printJson(answer ?? {});
  else process.stdout.write(`${sentence}\n`);
}

/** `jawth users …`: users of one application through the signed admin API (docs/api.md, Users and Sessions). */
export function usersCommand(): Command {
  const users = new Command('users').description('manage the users of an application');

  const listUsers = pageOptions(remoteOptions(new Command('list')))
    .description('list the users of one application, or of all with no APP (100 at a time unless --limit)')
    .argument('[app]', 'the application')
    .action(async (app: string | undefined, options: Common & PageOptions) => {
      const { rows, total } = await remotePage(options, `${app ? `/${seg(app)}` : ''}/users?${pageQuery(options)}`);
      if (options.json) return printJson(rows);
      printTable(rows, COLUMNS);
      printPageLine(rows.length, total, options.offset, ['user', 'users']);
    });
  users.addCommand(
    examples(listUsers, [
      'jawth users list myapp',
      'jawth users list myapp --limit 50 --offset 50',
      'jawth users list --json',
    ]),
  );

  const create = userVerb('create', 'create a user (password prompted unless --password)', async (app, username, o) => {
    const password = (o.password as string | undefined) ?? (await askNewPassword(`Password for ${username}`));
    const data = { username, password, email: o.email, role: o.role, groups: o.groups, orgs: o.orgs };
    const body = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
    show(await remote(o)('POST', `/${seg(app)}/users`, body), o.json);
  })
    .option(
      '--password <password>',
      'the password (prompted, hidden, when absent; other local users can see options in the process list)',
    )
    .option('--email <address>', 'e-mail address (unique in the application), for password recovery')
    .option('--role <role>', 'role claim (default "user")')
    .option('--groups <names>', 'comma-separated group names', list)
    .option('--orgs <names>', 'comma-separated org names', list);
  users.addCommand(
    examples(create, ['jawth users create myapp alice', 'jawth users create myapp bob --role admin --password "$PW"']),
  );

  const showUser = userVerb('show', 'show one user', async (app, username, o) => {
    show(await remote(o)('GET', userPath(app, username)), o.json);
  });
  users.addCommand(examples(showUser, ['jawth users show myapp alice']));

  const setPassword = userVerb(
    'set-password',
    "set a user's password; ends their sessions",
    async (app, username, o) => {
      const password = (o.password as string | undefined) ?? (await askNewPassword(`New password for ${username}`));
      await done(o, await remote(o)('PATCH', userPath(app, username), { password }), `Password of "${username}" set.`);
    },
  ).option(
    '--password <password>',
    'the new password (prompted, hidden, when absent; other local users can see options in the process list)',
  );
  users.addCommand(examples(setPassword, ['jawth users set-password myapp alice']));

  const disable = userVerb('disable', 'disable a user and end their sessions', async (app, username, o) => {
    await done(o, await remote(o)('PATCH', userPath(app, username), { disabled: true }), `Disabled "${username}".`);
  });
  users.addCommand(examples(disable, ['jawth users disable myapp alice']));

  const enable = userVerb('enable', 'enable a disabled user', async (app, username, o) => {
    await done(o, await remote(o)('PATCH', userPath(app, username), { disabled: false }), `Enabled "${username}".`);
  });
  users.addCommand(examples(enable, ['jawth users enable myapp alice']));

  const remove = userVerb('delete', 'delete a user', async (app, username, o) => {
    await remote(o)('DELETE', userPath(app, username));
    await done(o, { deleted: username }, `Deleted "${username}".`);
  });
  users.addCommand(examples(remove, ['jawth users delete myapp alice']));

  const revoke = userVerb(
    'revoke',
    'end every session of a user (refresh and login tokens)',
    async (app, username, o) => {
      await remote(o)('DELETE', `${userPath(app, username)}/sessions`);
      await done(o, { revoked: username }, `Ended every session of "${username}".`);
    },
  );
  users.addCommand(examples(revoke, ['jawth users revoke myapp alice']));

  const removeMfa = userVerb(
    'remove-mfa',
    "remove a user's second factor (a lost phone); the next login asks for a password only, or to enrol",
    async (app, username, o) => {
      await remote(o)('DELETE', `${userPath(app, username)}/mfa`);
      await done(o, { mfa_removed: username }, `Removed the second factor of "${username}".`);
    },
  );
  users.addCommand(examples(removeMfa, ['jawth users remove-mfa myapp alice']));

  return examples(users, [
    'jawth users list myapp',
    'jawth users create myapp alice',
    'jawth users disable myapp alice',
  ]);
}

import { Command } from 'commander';
import { examples, remote as remoteOptions } from '../help';
import { printJson, printTable, show } from '../output';
import { remote, remotePage, seg } from '../remote';

interface Common {
  url?: string;
  json?: boolean;
}

const HOOK_COLUMNS = ['id', 'url', 'events', 'disabled', 'disabled_reason'];
const DELIVERY_COLUMNS = ['id', 'type', 'status', 'created_at', 'next_attempt_at', 'tries'];

const hooksPath = (app: string) => `/applications/${seg(app)}/webhooks`;

/**
 * `jawth apps webhooks …`: an application's endpoints and their queues (docs/api.md, Webhooks):
 * list them and their deliveries, retry, replay or skip a delivery, turn an endpoint on and off.
 */
export function appWebhooksCommand(): Command {
  const hooks = new Command('webhooks').description("an application's webhook endpoints and their deliveries");

  const list = remoteOptions(new Command('list'))
    .description("list the application's endpoints (never their secrets)")
    .argument('<app>')
    .action(async (app: string, options: Common) => {
      const { rows } = await remotePage(options, hooksPath(app));
      if (options.json) return printJson(rows);
      printTable(rows, HOOK_COLUMNS);
    });
  hooks.addCommand(examples(list, ['jawth apps webhooks list shop']));

  const deliveries = remoteOptions(new Command('deliveries'))
    .description("list an endpoint's deliveries, newest first")
    .argument('<app>')
    .argument('<webhook>', 'the id `jawth apps webhooks list` shows')
    .action(async (app: string, webhook: string, options: Common) => {
      const { rows } = await remotePage(options, `${hooksPath(app)}/${seg(webhook)}/deliveries`);
      if (options.json) return printJson(rows);
      printTable(
        rows.map((row) => ({ ...row, tries: (row.attempts as unknown[]).length })),
        DELIVERY_COLUMNS,
      );
    });
  hooks.addCommand(examples(deliveries, ['jawth apps webhooks deliveries shop 3f2a…']));

  for (const [verb, description] of [
    ['retry', 'send a pending, failed or skipped delivery again now'],
    ['replay', 'send a delivered delivery again (same webhook-id)'],
    ['skip', 'take a pending delivery out of the queue: the ones after it go on'],
  ]) {
    const command = remoteOptions(new Command(verb))
      .description(description)
      .argument('<app>')
      .argument('<webhook>')
      .argument('<delivery>', 'the id (msg_…) `jawth apps webhooks deliveries` shows')
      .action(async (app: string, webhook: string, delivery: string, options: Common) => {
        const path = `${hooksPath(app)}/${seg(webhook)}/deliveries/${seg(delivery)}/${verb}`;
        show(await remote(options)('POST', path), options.json);
      });
    hooks.addCommand(examples(command, [`jawth apps webhooks ${verb} shop 3f2a… msg_…`]));
  }

  for (const [verb, disabled] of [
    ['enable', false],
    ['disable', true],
  ] as const) {
    const command = remoteOptions(new Command(verb))
      .description(disabled ? 'turn an endpoint off: nothing is queued or sent' : 'turn a disabled endpoint back on')
      .argument('<app>')
      .argument('<webhook>')
      .action(async (app: string, webhook: string, options: Common) => {
        show(await remote(options)('PATCH', `${hooksPath(app)}/${seg(webhook)}`, { disabled }), options.json);
      });
    hooks.addCommand(examples(command, [`jawth apps webhooks ${verb} shop 3f2a…`]));
  }
  return hooks;
}

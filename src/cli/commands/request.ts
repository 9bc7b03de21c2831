import { Command } from 'commander';
import { sendAdminRequest } from '../admin-client';
import { examples, jsonData } from '../help';
import { printJson } from '../output';
import { loadSettings, serverUrl } from '../settings';

/** Signs (bound to METHOD and PATH) and sends one admin request; prints the JSON answer. */
export function requestCommand(): Command {
  const command = new Command('request')
    .description('sign and send an admin request, print the JSON answer; exit 1 on 4xx/5xx')
    .argument('<method>', 'GET, POST, PATCH or DELETE')
    .argument('<path>', 'e.g. /applications or /myapp/users?limit=10')
    .option('--data <json>', 'the request data, signed into the token (a JSON object)', jsonData)
    .option('--url <url>', 'the running jawth (default: JAWTH_URL, else http://HOST:PORT from the config)')
    .action(async (method: string, path: string, options: { data?: unknown; url?: string }) => {
      const settings = loadSettings();
      const { body } = await sendAdminRequest(serverUrl(options.url, settings), settings, method, path, options.data);
      if (body !== undefined) printJson(body);
    });
  return examples(command, [
    'jawth request GET /applications',
    `jawth request POST /applications --data '{"name":"myapp","access_ttl":"10m"}'`,
    'jawth request DELETE /myapp/users/alice --url https://auth.example.com',
  ]);
}

import { Command } from 'commander';
import { formatDuration } from '../../config/duration';
import { signAdminRequest } from '../admin-client';
import { CliError } from '../errors';
import { durationSeconds, examples, jsonData } from '../help';
import { loadSettings } from '../settings';

interface TokenOptions {
  data?: unknown;
  method?: string;
  path?: string;
  ttl: number;
}

/** JaWTh's token tool: a signed admin request token for curl or any HTTP client. */
export function tokenCommand(): Command {
  const command = new Command('token')
    .description('print a signed admin request token (SECRET_KEY and JAWTH_KEY from the config)')
    .option('--data <json>', 'the signed "data" claim (a JSON object)', jsonData)
    .option('--method <method>', 'bind the token to this HTTP method (htm)')
    .option('--path <path>', 'bind the token to this path (htu)')
    .option('--ttl <duration>', 'lifetime, at most ADMIN_TOKEN_MAX_TTL', durationSeconds, 60)
    .action((options: TokenOptions) => {
      const { config } = loadSettings();
      if (options.ttl > config.adminTokenMaxTtl) {
        throw new CliError(`--ttl may be at most ADMIN_TOKEN_MAX_TTL (${formatDuration(config.adminTokenMaxTtl)}).`);
      }
      process.stdout.write(`${signAdminRequest(config, options)}\n`);
    });
  return examples(command, [
    'jawth token --method GET --path /applications',
    `curl -X POST http://127.0.0.1:5000/applications -H "auth: jwt $(jawth token --method POST --path /applications --data '{"name":"myapp"}')"`,
  ]);
}

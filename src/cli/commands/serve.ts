import { Command } from 'commander';
import { examples, integerIn } from '../help';

/** Runs what `node dist/server.js` runs; the server (and express) load only for this verb. */
export function serveCommand(): Command {
  const command = new Command('serve')
    .description('run the server (applies pending migrations first unless MIGRATE_ON_START=false)')
    .option('--workers <n>', 'worker processes (node:cluster); default WORKERS', integerIn(1, 64))
    .option('--port <port>', 'port to listen on (0 picks a free one); default PORT', integerIn(0, 65535))
    .action(async (options: { workers?: number; port?: number }) => {
      const { loadConfig, serve } = await import('../../server');
      const config = loadConfig();
      await serve({
        ...config,
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        ...(options.port === undefined ? {} : { port: options.port }),
      });
    });
  return examples(command, ['jawth serve', 'jawth serve --port 8080 --workers 4', 'PORT=0 jawth serve']);
}

import type { Command } from 'commander';
import { integerIn } from './help';

export interface PageOptions {
  limit: number;
  offset: number;
}

/** --limit and --offset, the same on every list verb (the API allows 1000 at most). */
export function pageOptions(command: Command): Command {
  return command
    .option('--limit <n>', 'at most this many', integerIn(1, 1000), 100)
    .option('--offset <n>', 'skip this many', integerIn(0, Number.MAX_SAFE_INTEGER), 0);
}

/** The query string of one page. */
export const pageQuery = ({ limit, offset }: PageOptions) => `limit=${limit}&offset=${offset}`;

/**
 * The line under a list's table: which rows these are of how many (X-Total-Count), and the
 * --offset of the next page when there is one. `noun` is [singular, plural].
 */
export function pageLine(shown: number, total: number, offset: number, noun: [string, string]): string {
  const name = total === 1 ? noun[0] : noun[1];
  if (total === 0) return `No ${noun[1]} yet.`;
  if (shown === 0) return `No ${noun[1]} from --offset ${offset}: there are ${total} in all.`;
  const last = offset + shown;
  const range = shown === 1 ? `${last}` : `${offset + 1}-${last}`;
  const next = last < total ? `; see the next ones with --offset ${last}` : '';
  return `${range} of ${total} ${name}${next}.`;
}

/** Prints the page line under a table. */
export function printPageLine(shown: number, total: number, offset: number, noun: [string, string]): void {
  process.stdout.write(`${pageLine(shown, total, offset, noun)}\n`);
}

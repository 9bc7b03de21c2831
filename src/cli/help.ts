import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from '../config/duration';
import { CliError } from './errors';

/** Adds an "Examples:" block to a command's --help. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

export function integerIn(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`Expected an integer from ${min} to ${max}.`);
    }
    return value;
  };
}

export function durationSeconds(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined || seconds < 1) throw new InvalidArgumentError('Expected a duration like 30s, 10m or 2h.');
  return seconds;
}

/** Options every command that talks to a running server shares. */
export function remote(command: Command): Command {
  return command
    .option('--url <url>', 'the running jawth (default: JAWTH_URL, else http://HOST:PORT from the config)')
    .option('--json', 'print the JSON answer (for scripts)');
}

export const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const DATA_EXAMPLE = `'{"name":"myapp"}'`;

/** --data: a JSON object, the only shape the signed "data" claim takes; anything else is refused here. */
export function jsonData(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message.split('\n')[0];
    throw new CliError(`--data is not valid JSON (${why}): give a JSON object such as ${DATA_EXAMPLE}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`--data must be a JSON object such as ${DATA_EXAMPLE}, not ${kindOf(value)}.`);
  }
  return value as Record<string, unknown>;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

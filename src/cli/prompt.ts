import readline from 'node:readline/promises';
import { Writable } from 'node:stream';
import { AppError } from '../errors';
import { CliError } from './errors';

/**
 * Asks on the terminal (stderr, so that stdout stays for answers). With `hidden` nothing typed
 * is echoed: readline writes its echo to an output we mute.
 */
export async function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliError('no terminal to prompt on: pass the value as an option (see --help)');
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  try {
    process.stderr.write(question);
    muted = Boolean(options.hidden);
    const answer = await rl.question('');
    if (muted) process.stderr.write('\n');
    return answer;
  } finally {
    rl.close();
  }
}

const PASSWORD_ATTEMPTS = 3;
const DIFFER = 'the two passwords differ';

/**
 * A new password typed twice, never echoed. `check` (the password policy) runs on the first
 * entry; a refused or mistyped password is asked for again, after the reason, a few times.
 */
export async function askNewPassword(what: string, check?: (password: string) => void): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const password = await ask(`${what}: `, { hidden: true });
      check?.(password);
      const again = await ask('Repeat it: ', { hidden: true });
      if (password !== again) throw new CliError(DIFFER);
      return password;
    } catch (error) {
      const reason = retryReason(error);
      if (attempt >= PASSWORD_ATTEMPTS || reason === undefined) throw error;
      process.stderr.write(`${reason}\n`);
    }
  }
}

/** Why a password was refused, when typing another can fix it (not when there is no terminal). */
function retryReason(error: unknown): string | undefined {
  if (error instanceof AppError) return error.message;
  if (error instanceof CliError && error.message === DIFFER) return 'The two passwords differ.';
  return undefined;
}

/**
 * Asks the user to type `expected` (an application's name) before something that cannot be
 * undone; without a terminal the only way on is --yes, to `action`. `lookUp` runs before the
 * question, so that a name that does not exist fails before the user types it.
 */
export async function confirmByTyping(
  warning: string,
  expected: string,
  action: string,
  lookUp?: () => Promise<unknown>,
): Promise<void> {
  if (!process.stdin.isTTY) throw new CliError(`there is no terminal to confirm on: pass --yes to ${action}.`);
  await lookUp?.();
  process.stderr.write(`${warning}\n`);
  const answer = (await ask(`Type "${expected}" to confirm: `)).trim();
  if (answer !== expected) throw new CliError(`not confirmed: you did not type "${expected}", so nothing was done.`);
}

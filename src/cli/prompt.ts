import readline from 'node:readline/promises';
import { Writable } from 'node:stream';
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

/** A new password typed twice, never echoed. */
export async function askNewPassword(what: string): Promise<string> {
  const password = await ask(`${what}: `, { hidden: true });
  const again = await ask('Repeat it: ', { hidden: true });
  if (password !== again) throw new CliError('the two passwords differ');
  return password;
}
